import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import { initBackend, readSafetensorsHeader, SeededRng } from '@koenbert/tensor-utils';
import { mergeVocabs, readMergeMap, type MergeMap } from '@koenbert/tokenizer-merge';
import { formatInitEmbeddingsReport, initEmbeddings, initEmbeddingsIter, type InitEmbeddingsEvent, type InitEmbeddingsReport } from '../src';
import { describeIfSharedData, ENGLISH_TOKENIZER, KOREAN_TOKENIZER } from './helpers/shared-data';
import { writeTinyModel } from './helpers/tiny-models';

const KOREAN_HIDDEN = 16;
const ENGLISH_HIDDEN = 24;

describeIfSharedData('initEmbeddings with the real merged vocab and tiny random models', () => {
  let root: string;
  let merged: string;
  let mergeMap: MergeMap;
  let koreanDir: string;
  let englishDir: string;
  let koreanEmbeddings: Float32Array;
  let englishEmbeddings: Float32Array;
  let koreanBias: Float32Array;
  // Korean rows of shared tokens are English rows mapped by y = x·A + b plus a little noise.
  let a: Float64Array;
  let b: Float64Array;

  const mapped = (englishId: number, j: number): number => {
    let sum = b[j];
    for (let k = 0; k < ENGLISH_HIDDEN; k++) sum += englishEmbeddings[englishId * ENGLISH_HIDDEN + k] * a[k * KOREAN_HIDDEN + j];
    return sum;
  };

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'embed-init-'));
    merged = path.join(root, 'merged');
    await mergeVocabs({ korean: KOREAN_TOKENIZER, english: ENGLISH_TOKENIZER, output: merged, verifyRoundTrip: false });
    mergeMap = await readMergeMap(merged);

    const rng = new SeededRng(2026);
    englishEmbeddings = Float32Array.from({ length: mergeMap.englishVocabSize * ENGLISH_HIDDEN }, () => rng.normal());
    a = Float64Array.from({ length: ENGLISH_HIDDEN * KOREAN_HIDDEN }, () => rng.normal() / Math.sqrt(ENGLISH_HIDDEN));
    b = Float64Array.from({ length: KOREAN_HIDDEN }, () => rng.normal());
    koreanEmbeddings = Float32Array.from({ length: mergeMap.koreanVocabSize * KOREAN_HIDDEN }, () => rng.normal());
    for (const entry of mergeMap.entries) {
      if (entry.koreanId === null || entry.englishId === null || entry.koreanId < 5) continue;
      for (let j = 0; j < KOREAN_HIDDEN; j++) koreanEmbeddings[entry.koreanId * KOREAN_HIDDEN + j] = mapped(entry.englishId, j) + 0.01 * rng.normal();
    }
    koreanDir = path.join(root, 'korean');
    englishDir = path.join(root, 'english');
    koreanBias = await writeTinyModel({ dir: koreanDir, vocabSize: mergeMap.koreanVocabSize, hiddenSize: KOREAN_HIDDEN, embeddings: koreanEmbeddings, seed: 1 });
    await writeTinyModel({ dir: englishDir, vocabSize: mergeMap.englishVocabSize, hiddenSize: ENGLISH_HIDDEN, embeddings: englishEmbeddings, seed: 2 });
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  describe('a ridge run scored against every method', () => {
    let output: string;
    let report: InitEmbeddingsReport;
    const events: InitEmbeddingsEvent[] = [];

    let tensorsBefore = 0;
    let tensorsAfter = 0;

    beforeAll(async () => {
      output = path.join(root, 'grown');
      tensorsBefore = tf.memory().numTensors;
      const iterator = initEmbeddingsIter({
        korean: koreanDir,
        english: englishDir,
        tokenizer: merged,
        output,
        compare: ['ridge', 'lstsq', 'procrustes', 'mlp', 'mean', 'subword-mean'],
        mlp: { hidden: 16, maxEpochs: 3 },
      });
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          report = next.value;
          break;
        }
        events.push(next.value);
      }
      tensorsAfter = tf.memory().numTensors;
    });

    it('leaves no tensors behind', () => {
      expect(tensorsAfter).toBe(tensorsBefore);
    });

    it('pairs the 1,878 shared tokens and holds out 20 %', () => {
      expect(report.pairs).toEqual({ shared: 1883, special: 5, nonWord: 0, pairs: 1878, train: 1502, heldOut: 376 });
      expect(report.merged).toEqual({ vocabSize: mergeMap.mergedVocabSize, added: mergeMap.added });
      expect(report.korean).toEqual({ source: koreanDir, vocabSize: 50135, hiddenSize: KOREAN_HIDDEN });
      expect(report.english).toEqual({ source: englishDir, vocabSize: 30522, hiddenSize: ENGLISH_HIDDEN });
    });

    it('scores each method on the held-out pairs: the regressions find the planted map, the baselines do not', () => {
      const score = (method: string) => report.scores.find((s) => s.method === method)!.heldOut!;
      expect(report.scores.map((s) => s.method)).toEqual(['ridge', 'lstsq', 'procrustes', 'mlp', 'mean', 'subword-mean']);
      expect(score('ridge').r2).toBeGreaterThan(0.99);
      expect(score('ridge').top1).toBeGreaterThan(0.95);
      expect(score('ridge').queries).toBe(376);
      expect(score('lstsq').r2).toBeGreaterThan(0.99);
      expect(score('procrustes').r2).toBeLessThan(score('ridge').r2);
      expect(score('mean').r2).toBeLessThan(0.05);
      expect(score('subword-mean').r2).toBeLessThan(0.5);
      expect(score('mean').top1).toBeLessThan(0.05);
      const ridge = report.scores[0];
      expect(ridge.details.alpha).toBeGreaterThan(0);
      expect(ridge.details.lambda).toBeGreaterThan(0);
      expect(report.chosen.method).toBe('ridge');
      expect(report.chosen.details.cv).toHaveLength(11);
    });

    it('reports progress as events', () => {
      const types = events.map((event) => event.type);
      expect(types.slice(0, 4)).toEqual(['loaded', 'loaded', 'loaded', 'pairs']);
      expect(events.filter((event) => event.type === 'method-scored')).toHaveLength(6);
      expect(events.filter((event) => event.type === 'mlp-epoch').length).toBeGreaterThan(0);
      expect(types.slice(-4)).toEqual(['filled', 'progress', 'written', 'done']);
      const progress = events.filter((event) => event.type === 'progress');
      expect(progress.map((event) => (event.type === 'progress' ? event.step : 0))).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(progress.every((event) => event.type === 'progress' && event.total === 7 && event.stage === 'init-embeddings')).toBe(true);
    });

    it('writes an HF folder: grown embeddings (old rows kept, new rows mapped), decoder bias, config, tokenizer files', async () => {
      const files = (await fs.readdir(output)).sort();
      expect(files).toEqual(
        ['config.json', 'embed-init-report.json', 'merge-map.json', 'merge-report.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer-ko.json', 'tokenizer-en.json', 'tokenizer_config.json', 'vocab.txt'].sort(),
      );
      expect(report.files).toEqual(files);
      expect(await fs.readFile(path.join(output, 'vocab.txt'), 'utf8')).toBe(await fs.readFile(path.join(merged, 'vocab.txt'), 'utf8'));
      const config = JSON.parse(await fs.readFile(path.join(output, 'config.json'), 'utf8'));
      expect(config.vocab_size).toBe(mergeMap.mergedVocabSize);
      expect(config.architectures).toEqual(['BertForMaskedLM']);
      const header = await readSafetensorsHeader(path.join(output, 'model.safetensors'));
      expect(header.entries.get('bert.embeddings.word_embeddings.weight')!.shape).toEqual([mergeMap.mergedVocabSize, KOREAN_HIDDEN]);
      expect(header.entries.get('cls.predictions.bias')!.shape).toEqual([mergeMap.mergedVocabSize]);
      expect(JSON.parse(await fs.readFile(path.join(output, 'embed-init-report.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));

      const model = await BertModel.fromPretrained(output, { task: 'masked-lm' });
      try {
        const embeddings = model.params.get('bert.embeddings.word_embeddings.weight')!.dataSync() as Float32Array;
        const k = mergeMap.koreanVocabSize * KOREAN_HIDDEN;
        expect(embeddings.subarray(0, k)).toEqual(koreanEmbeddings);
        let worst = 0;
        for (const entry of mergeMap.entries.slice(mergeMap.koreanVocabSize)) {
          for (let j = 0; j < KOREAN_HIDDEN; j++) worst = Math.max(worst, Math.abs(embeddings[entry.mergedId * KOREAN_HIDDEN + j] - mapped(entry.englishId!, j)));
        }
        expect(worst).toBeLessThan(0.05);
        const bias = model.params.get('cls.predictions.bias')!.dataSync() as Float32Array;
        expect(bias.subarray(0, mergeMap.koreanVocabSize)).toEqual(koreanBias);
        expect(bias.subarray(mergeMap.koreanVocabSize).every((value) => value === 0)).toBe(true);
        // The tied decoder covers the new ids: logits have one column per merged token.
        const newId = mergeMap.mergedVocabSize - 1;
        const inputIds = tf.tensor2d([[2, newId, 3]], [1, 3], 'int32');
        const logits = model.forward({ inputIds }).logits!;
        expect(logits.shape).toEqual([1, 3, mergeMap.mergedVocabSize]);
        tf.dispose([inputIds, logits]);
      } finally {
        model.dispose();
      }
    });

    it('formats the report as a table', () => {
      const text = formatInitEmbeddingsReport(report);
      expect(text).toMatch(/^pairs: 1,878 of 1,883 shared tokens \(5 special left out\); held out 376, trained on 1,502$/m);
      expect(text).toMatch(/^method\s+R²\s+cosine\s+top-1\s+top-5\s+time\s+notes$/m);
      for (const method of ['ridge', 'lstsq', 'procrustes', 'mlp', 'mean', 'subword-mean']) expect(text).toMatch(new RegExp(`^${method}\\s+-?\\d\\.\\d{3}\\s`, 'm'));
    });
  });

  describe('bad input: one-line error, nothing written', () => {
    beforeAll(async () => {
      await fs.mkdir(path.join(root, 'bad'));
    });
    const expectNothingWritten = async (output: string) => {
      expect(await fs.stat(output).then(() => true, () => false)).toBe(false);
      const leftovers = (await fs.readdir(path.dirname(output))).filter((name) => name.includes(path.basename(output)));
      expect(leftovers).toEqual([]);
    };
    const run = (overrides: Record<string, unknown>) =>
      initEmbeddings({ korean: koreanDir, english: englishDir, tokenizer: merged, output: path.join(root, 'bad', 'out'), compare: ['ridge'], ...overrides });

    it.each([
      ['a merge map whose tokens differ from the tokenizer', 'merge-map-token'],
      ['a merge map beside a tokenizer of another size', 'merge-map-size'],
    ])('%s', async (_title, kind) => {
      const dir = path.join(root, kind);
      await fs.cp(merged, dir, { recursive: true });
      if (kind === 'merge-map-token') {
        const text = await fs.readFile(path.join(dir, 'merge-map.json'), 'utf8');
        await fs.writeFile(path.join(dir, 'merge-map.json'), text.replace('"token":"##ing"', '"token":"##ung"'));
      } else {
        for (const name of ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) await fs.rm(path.join(dir, name), { force: true });
        for (const name of ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) await fs.copyFile(path.join(KOREAN_TOKENIZER, name), path.join(dir, name));
      }
      const error = (await run({ tokenizer: dir }).catch((e: unknown) => e)) as Error & { code?: string };
      expect((error as { code?: string }).code).toBe('MERGE_MAP_MISMATCH');
      expect(error.message).not.toContain('\n');
      expect(error.message).toMatch(kind === 'merge-map-token' ? /merge-map\.json: entry \d+ is "##ung" but the tokenizer's token \d+ is "##ing"/ : /mergedVocabSize is \d+ but the tokenizer beside it has 50135 tokens/);
      await expectNothingWritten(path.join(root, 'bad', 'out'));
    });

    it('a Korean model whose vocab is not the merge map’s Korean vocab', async () => {
      await expect(run({ korean: englishDir })).rejects.toThrow(/the Korean model has vocab_size 30522 but merge-map\.json expects 50135/);
      await expectNothingWritten(path.join(root, 'bad', 'out'));
    });

    it('hidden sizes that disagree with config.json', async () => {
      const dir = path.join(root, 'korean-hidden');
      await fs.cp(koreanDir, dir, { recursive: true });
      const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
      await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, hidden_size: 32 }));
      const error = (await run({ korean: dir }).catch((e: unknown) => e)) as Error & { code: string };
      expect(error.code).toBe('WEIGHT_SHAPE_MISMATCH');
      expect(error.message).not.toContain('\n');
      expect(error.message).toMatch(/\[50135, 16\].*\[50135, 32\]/);
      await expectNothingWritten(path.join(root, 'bad', 'out'));
    });

    it.each(['korean', 'english'] as const)('NaN in the %s weights', async (role) => {
      const dir = path.join(root, `${role}-nan`);
      const embeddings = Float32Array.from(role === 'korean' ? koreanEmbeddings : englishEmbeddings);
      embeddings[1234] = NaN;
      const vocabSize = role === 'korean' ? mergeMap.koreanVocabSize : mergeMap.englishVocabSize;
      await writeTinyModel({ dir, vocabSize, hiddenSize: role === 'korean' ? KOREAN_HIDDEN : ENGLISH_HIDDEN, embeddings, seed: 3 });
      const error = (await run({ [role]: dir }).catch((e: unknown) => e)) as Error & { code: string };
      // @koenbert/bert's strict loading refuses the folder first (one line naming the weight file and the tensor)
      expect(error.code).toBe('WEIGHTS_NOT_FINITE');
      expect(error.message).toMatch(new RegExp(`${role}-nan/model\\.safetensors: non-finite values .* (bert\\.)?embeddings\\.word_embeddings\\.weight \\(element 1234: NaN\\)`));
      await expectNothingWritten(path.join(root, 'bad', 'out'));
    });

    it('an existing output folder without overwrite', async () => {
      const output = path.join(root, 'exists');
      await fs.mkdir(output);
      await expect(initEmbeddings({ korean: koreanDir, english: englishDir, tokenizer: merged, output })).rejects.toThrow(/exists: already exists; choose another output or set overwrite/);
      expect(await fs.readdir(output)).toEqual([]);
    });
  });
});
