import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel, parseBertConfig } from '@koenbert/bert';
import { initBackend, SeededRng } from '@koenbert/tensor-utils';
import { finetuneIter, type FinetuneOutcome, type FinetuneParams } from '../src/lib/finetune/finetune-iter';
import { IGNORE_LABEL } from '../src/lib/ner/align-char-labels';
import { getTask, type TaskName } from '../src/lib/tasks/task-registry';
import type { EncodedExample } from '../src/lib/tokenize/encode-examples';

// Micro-batches (microBatchSize) are the same optimizer step as the whole batch: without dropout, every step's loss
// and every prediction agree to float rounding, for classification, regression and NER (whose loss is a mean over
// labelled tokens, so micro-batches are weighted by their labelled tokens, not their examples).

const VOCAB = 60;
let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm', env: { KOENBERT_WASM_THREADS: '1' } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'micro-batches-'));
  const model = BertModel.create({
    config: parseBertConfig({ vocab_size: VOCAB, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, max_position_embeddings: 64 }),
    task: 'base',
    seed: 5,
  });
  await model.savePretrained(dir);
  model.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Examples of different lengths (so micro-batches pad differently from the whole batch). */
function examples(task: TaskName, count: number, seed: number): EncodedExample[] {
  const spec = getTask(task);
  const rng = new SeededRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const length = 4 + rng.int(9);
    const inputIds = [2, ...Array.from({ length: length - 2 }, () => 5 + rng.int(VOCAB - 5)), 3];
    const example: EncodedExample = { id: String(i), inputIds, tokenTypeIds: inputIds.map(() => 0) };
    if (spec.kind === 'token-classification') {
      example.tokenLabels = inputIds.map((_, t) => (t === 0 || t === length - 1 || rng.nextFloat() < 0.3 ? IGNORE_LABEL : rng.int(spec.labels.length)));
      // one character per inner token, for mapping predictions back to characters
      const chars = length - 2;
      example.alignment = {
        numChars: chars,
        offsets: inputIds.map((_, t) => (t === 0 || t === length - 1 ? [0, 0] : [t - 1, t])),
        tokenStartChar: inputIds.map((_, t) => (t === 0 || t === length - 1 ? -1 : t - 1)),
        charLabels: Array.from({ length: chars }, () => 0),
        chars: Array.from({ length: chars }, () => '가'),
      };
    } else example.label = spec.kind === 'regression' ? 5 * rng.nextFloat() : rng.int(spec.labels.length);
    return example;
  });
}

async function finetune(task: TaskName, microBatchSize?: number): Promise<FinetuneOutcome> {
  const params: FinetuneParams = {
    task: getTask(task),
    model: dir,
    train: examples(task, 19, 1),
    evalSet: examples(task, 6, 2),
    hyperparameters: { lr: 1e-3, epochs: 2, batchSize: 8, maxLength: 16, warmupRatio: 0, weightDecay: 0.01, seed: 42 },
    checkpoint: 'last',
    tokenTypeIds: true,
    padId: 0,
    evalBatchSize: 4,
    maxGradNorm: 1,
    microBatchSize,
  };
  let outcome: FinetuneOutcome | undefined;
  for await (const event of finetuneIter(params)) if (event.type === 'done') outcome = event.outcome;
  return outcome!;
}

describe('fine-tuning in micro-batches', () => {
  it.each(['glue-sst2', 'glue-stsb', 'klue-ner'] as TaskName[])('%s: micro-batches of 3 give the steps of the whole batch of 8', async (task) => {
    const tensors = tf.memory().numTensors;
    const whole = await finetune(task);
    const micro = await finetune(task, 3);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(micro.steps).toBe(whole.steps);
    expect(micro.steps).toBe(6); // 19 examples: batches of 8, 8, 3, two epochs
    micro.losses.forEach((loss, i) => expect(loss).toBeCloseTo(whole.losses[i], 5));
    // the losses move (the model trains), and so the later equal losses show equal updates
    expect(whole.losses[whole.losses.length - 1]).not.toBeCloseTo(whole.losses[0], 3);
    const flat = (o: FinetuneOutcome) => JSON.stringify(o.predictions, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v));
    expect(flat(micro)).toBe(flat(whole));
  });

  it('a micro-batch at least the batch size is the whole batch, bit for bit', async () => {
    const whole = await finetune('glue-sst2');
    const same = await finetune('glue-sst2', 8);
    expect(same.losses).toEqual(whole.losses);
  });
});
