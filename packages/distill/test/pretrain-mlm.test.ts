import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readSafetensors, SeededRng } from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { maskTokens, pretrainMlm, pretrainMlmIter, type PretrainMlmConfigInput, type PretrainMlmEvent } from '../src';
import { isHeldOutLine } from '../src/lib/pretrain/held-out-lines';
import { describeIfSharedData, sharedPath } from './helpers/shared-data';
import { removeDir, tempDir } from './helpers/temp-dir';

const TEXT = 'text/en/wikitext-2-valid.txt';
const TOKENIZER = 'tokenizers/bert-base-uncased';

function tinyConfig(output: string, overrides: Partial<PretrainMlmConfigInput> = {}): PretrainMlmConfigInput {
  return {
    tokenizer: sharedPath(TOKENIZER),
    output,
    seed: 3,
    steps: 40,
    model: { hiddenSize: 32, numLayers: 1, numHeads: 2, intermediateSize: 64, dropout: 0.1 },
    data: { files: [sharedPath(TEXT)], maxLength: 32, shuffleBuffer: 64, heldOutFraction: 0.02 },
    optim: { lr: 5e-3, batchSize: 8, warmupSteps: 2 },
    eval: { every: 20, maxLines: 16, batchSize: 8 },
    checkpoint: { every: 20, keep: 2 },
    ...overrides,
  };
}

describeIfSharedData(TEXT, 'MLM pretraining on real text', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    dir = await tempDir('koenbert-pretrain-');
  });
  afterAll(() => removeDir(dir));

  test('masking: 15 % of non-special tokens, 80/10/10, specials never selected, seeded', async () => {
    const tokenizer = await loadWordPieceTokenizer(sharedPath(TOKENIZER));
    const lines = (await fs.readFile(sharedPath(TEXT), 'utf8')).split('\n').filter((l) => l.trim().length > 0).slice(0, 400);
    const ids = Int32Array.from(lines.flatMap((line) => [...tokenizer.encode(line).ids, 0, 0])); // with [PAD]s
    const specialIds = new Set([tokenizer.clsId, tokenizer.sepId, tokenizer.unkId, tokenizer.padId!, tokenizer.maskId!]);
    const params = { ids, specialIds, vocabSize: tokenizer.size, maskId: tokenizer.maskId!, probability: 0.15, maskRatio: 0.8, randomRatio: 0.1 };
    const masked = maskTokens({ ...params, rng: new SeededRng(1) });
    const nonSpecial = ids.filter((id) => !specialIds.has(id)).length;
    expect(nonSpecial).toBeGreaterThan(20_000);
    let selected = 0;
    let asMask = 0;
    let unchanged = 0;
    let random = 0;
    for (let i = 0; i < ids.length; i++) {
      if (masked.labels[i] === -100) {
        expect(masked.inputIds[i]).toBe(ids[i]);
        continue;
      }
      expect(specialIds.has(ids[i])).toBe(false);
      expect(masked.labels[i]).toBe(ids[i]);
      selected++;
      if (masked.inputIds[i] === tokenizer.maskId) asMask++;
      else if (masked.inputIds[i] === ids[i]) unchanged++;
      else random++;
    }
    expect(masked.positions.length).toBe(selected);
    expect(Array.from(masked.targets)).toEqual(Array.from(masked.positions, (p) => ids[p]));
    // binomial standard deviations: selection ≈ 0.0024, 80 % ≈ 0.007, 10 % ≈ 0.005 (n ≈ 3000 selected): bounds ≈ 4σ
    expect(Math.abs(selected / nonSpecial - 0.15)).toBeLessThan(0.01);
    expect(Math.abs(asMask / selected - 0.8)).toBeLessThan(0.03);
    expect(Math.abs(random / selected - 0.1)).toBeLessThan(0.022);
    expect(Math.abs(unchanged / selected - 0.1)).toBeLessThan(0.022);
    // same seed, same masks; another seed, other masks
    expect(Array.from(maskTokens({ ...params, rng: new SeededRng(1) }).inputIds)).toEqual(Array.from(masked.inputIds));
    expect(Array.from(maskTokens({ ...params, rng: new SeededRng(2) }).positions)).not.toEqual(Array.from(masked.positions));
  });

  test('loss falls on wikitext with a tiny model; held-out perplexity falls; HF folder written; no leaks', async () => {
    const output = path.join(dir, 'train');
    const before = tf.memory().numTensors;
    const events: PretrainMlmEvent[] = [];
    for await (const event of pretrainMlmIter(tinyConfig(output), { handleProcessSignals: false })) events.push(event);
    expect(tf.memory().numTensors).toBe(before);
    const losses = events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    expect(losses).toHaveLength(40);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, 5));
    const last = mean(losses.slice(-5));
    // starts near ln(30522) ≈ 10.3 (uniform); 40 steps of batch 8 × 32 learn the unigram distribution
    expect(first).toBeGreaterThan(9.5);
    expect(last).toBeLessThan(first / 1.3); // measured 10.26 → 6.86 (×1.50)
    const evals = events.flatMap((e) => (e.type === 'eval' ? [e] : []));
    expect(evals.map((e) => e.step)).toEqual([0, 20, 40]);
    expect(evals[2].perplexity).toBeLessThan(evals[0].perplexity / 4); // measured 31146 → 1947
    const done = events.find((e) => e.type === 'done');
    expect(done && done.type === 'done' && done.files).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer.json']));
    const config = JSON.parse(await fs.readFile(path.join(output, 'config.json'), 'utf8'));
    expect(config.architectures).toEqual(['BertForMaskedLM']);
    expect(config.vocab_size).toBe(30522);
    const { tensors } = await readSafetensors(path.join(output, 'model.safetensors'));
    expect([...tensors.keys()]).toEqual(expect.arrayContaining(['bert.embeddings.word_embeddings.weight', 'cls.predictions.transform.dense.weight', 'cls.predictions.bias']));
  });

  test('held-out lines are chosen by hash and never trained on', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line number ${i}`);
    const share = lines.filter((l) => isHeldOutLine(l, 0.05)).length / lines.length;
    expect(Math.abs(share - 0.05)).toBeLessThan(0.015);
    expect(lines.filter((l) => isHeldOutLine(l, 0.05)).every((l) => isHeldOutLine(l, 0.05))).toBe(true);
  });

  test('stop at step 3 + resume to 6 gives the weights of 6 straight steps, bit for bit', async () => {
    const small = { steps: 6, eval: { every: 3, maxLines: 8, batchSize: 8 }, checkpoint: { every: 100, keep: 2 } };
    const straight = path.join(dir, 'straight');
    await pretrainMlm(tinyConfig(straight, small), { handleProcessSignals: false });
    const resumed = path.join(dir, 'resumed');
    const controller = new AbortController();
    for await (const event of pretrainMlmIter(tinyConfig(resumed, small), { signal: controller.signal, handleProcessSignals: false })) {
      if (event.type === 'step' && event.step === 3) controller.abort();
    }
    // as if the first run had gone on to step 5 and been killed before a checkpoint: those lines are replayed, and logged once
    const logFile = path.join(resumed, 'pretrain-log.jsonl');
    await fs.appendFile(logFile, `${JSON.stringify({ event: 'step', step: 4, loss: 99 })}\n${JSON.stringify({ event: 'step', step: 5, loss: 99 })}\n`);
    const second = await pretrainMlm(tinyConfig(resumed, { ...small, resume: true }), { handleProcessSignals: false });
    expect(second.step).toBe(6);
    const logged = (await fs.readFile(logFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { event: string; step: number; loss?: number });
    expect(logged.filter((r) => r.event === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(logged.some((r) => r.loss === 99)).toBe(false);
    const a = (await readSafetensors(path.join(straight, 'model.safetensors'))).tensors;
    const b = (await readSafetensors(path.join(resumed, 'model.safetensors'))).tensors;
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, record] of a) expect(Buffer.from((b.get(name)!.data as Float32Array).buffer).equals(Buffer.from((record.data as Float32Array).buffer))).toBe(true);
  });
});
