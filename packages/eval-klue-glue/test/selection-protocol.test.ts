import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel, parseBertConfig } from '@koenbert/bert';
import { initBackend, readSafetensors, SeededRng, writeSafetensors } from '@koenbert/tensor-utils';
import { carveValidation } from '../src/lib/data/carve-validation';
import { makeFolds } from '../src/lib/data/make-folds';
import { runSplits } from '../src/lib/data/run-splits';
import { finetuneIter, type FinetuneEvent, type FinetuneParams } from '../src/lib/finetune/finetune-iter';
import { taskMetrics, type TaskPredictions } from '../src/lib/metrics/task-metrics';
import { getTask, type Hyperparameters } from '../src/lib/tasks/task-registry';
import type { EncodedExample } from '../src/lib/tokenize/encode-examples';

// Issue 15: the epoch that is scored is chosen on a validation part of the training data, never on the examples
// that are scored — shown by construction (the index sets) and with a spy on what fine-tuning scores.

const sorted = (values: Iterable<number>) => [...values].sort((a, b) => a - b);

describe('runSplits / carveValidation: the scored examples never choose the epoch', () => {
  it('cv: each fold’s validation part comes out of the other folds and is disjoint from the scored fold', () => {
    const folds = makeFolds({ count: 40, k: 4, seed: 42 });
    const splits = runSplits({ trainCount: 40, evalCount: 40, folds, checkpoint: 'best', validationFraction: 0.1, seed: 42 });
    expect(splits).toHaveLength(4);
    splits.forEach((split, f) => {
      const held = new Set(folds[f]);
      expect(split.fold).toBe(f);
      expect(split.evalIndices).toEqual(folds[f]);
      expect(split.validation).toHaveLength(3);
      expect(split.validation.some((i) => held.has(i))).toBe(false);
      expect(split.train.some((i) => held.has(i))).toBe(false);
      expect(split.validation.some((i) => split.train.includes(i))).toBe(false);
      expect(sorted([...split.train, ...split.validation, ...folds[f]])).toEqual(Array.from({ length: 40 }, (_, i) => i));
    });
    // seeded: the same parts every time, other parts for another seed
    expect(runSplits({ trainCount: 40, evalCount: 40, folds, checkpoint: 'best', validationFraction: 0.1, seed: 42 })).toEqual(splits);
    expect(runSplits({ trainCount: 40, evalCount: 40, folds, checkpoint: 'best', validationFraction: 0.1, seed: 7 })).not.toEqual(splits);
  });

  it('train → dev: the validation part is carved from train; dev is scored whole', () => {
    const [split] = runSplits({ trainCount: 50, evalCount: 9, checkpoint: 'best', validationFraction: 0.2, seed: 1 });
    expect(split.validation).toHaveLength(10);
    expect(sorted([...split.train, ...split.validation])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(split.evalIndices).toEqual(Array.from({ length: 9 }, (_, i) => i));
  });

  it("checkpoint 'last' trains on everything and has no validation part", () => {
    const [split] = runSplits({ trainCount: 5, evalCount: 3, checkpoint: 'last', validationFraction: 0.1, seed: 1 });
    expect(split.train).toEqual([0, 1, 2, 3, 4]);
    expect(split.validation).toEqual([]);
  });

  it('at least one example on each side; too few examples or a bad fraction is a one-line error', () => {
    expect(carveValidation({ indices: [3, 8], fraction: 0.1, seed: 0 }).validation).toHaveLength(1);
    expect(carveValidation({ indices: [3, 8], fraction: 0.9, seed: 0 }).train).toHaveLength(1);
    expect(() => carveValidation({ indices: [3], fraction: 0.1, seed: 0 })).toThrow(/only 1 training examples \(use checkpoint "last"\)/);
    expect(() => carveValidation({ indices: [1, 2, 3], fraction: 1, seed: 0 })).toThrow(/validationFraction must be in \(0, 1\)/);
  });
});

describe('finetuneIter on a tiny model', () => {
  const HP: Hyperparameters = { lr: 1e-3, epochs: 3, batchSize: 4, maxLength: 16, warmupRatio: 0, weightDecay: 0, seed: 5 };
  let dir: string;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-protocol-'));
    const config = parseBertConfig({ vocab_size: 30, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 });
    const model = BertModel.create({ config, task: 'sequence-classification', numLabels: 2, seed: 1 });
    await model.savePretrained(dir);
    model.dispose();
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true });
  });

  function examples(params: { count: number; seed: number; classes?: number; label?: (i: number) => number }): EncodedExample[] {
    const rng = new SeededRng(params.seed);
    return Array.from({ length: params.count }, (_, i) => {
      const length = 4 + (i % 5);
      const inputIds = [2, ...Array.from({ length }, () => 5 + rng.int(24)), 3];
      return { id: `${params.seed}-${i}`, inputIds, tokenTypeIds: inputIds.map(() => 0), label: params.label ? params.label(i) : i % (params.classes ?? 2) };
    });
  }

  async function drain(params: FinetuneParams): Promise<FinetuneEvent[]> {
    const events: FinetuneEvent[] = [];
    for await (const event of finetuneIter(params)) events.push(event);
    return events;
  }

  const base = (overrides: Partial<FinetuneParams>): FinetuneParams => ({
    task: getTask('glue-sst2'),
    model: dir,
    train: examples({ count: 12, seed: 1 }),
    validation: examples({ count: 5, seed: 2 }),
    evalSet: examples({ count: 7, seed: 3 }),
    hyperparameters: HP,
    checkpoint: 'best',
    tokenTypeIds: true,
    padId: 0,
    evalBatchSize: 8,
    maxGradNorm: 1,
    ...overrides,
  });

  it("checkpoint 'best' scores only the validation part; the chosen epoch's evaluation predictions come back unscored", async () => {
    const scored: TaskPredictions[] = [];
    const params = base({ score: (p) => (scored.push(p.predictions), taskMetrics(p)) });
    const tensors = tf.memory().numTensors;
    const events = await drain(params);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(scored).toHaveLength(HP.epochs);
    for (const predictions of scored) expect(predictions.gold).toEqual(params.validation!.map((e) => e.label));
    const epochs = events.filter((e): e is Extract<FinetuneEvent, { type: 'epoch' }> => e.type === 'epoch');
    const done = events.find((e): e is Extract<FinetuneEvent, { type: 'done' }> => e.type === 'done')!;
    const accuracy = epochs.map((e) => e.validation!.accuracy!);
    expect(done.outcome.selectedEpoch).toBe(accuracy.indexOf(Math.max(...accuracy)) + 1);
    expect(done.outcome.epochs.map((e) => e.validation)).toEqual(epochs.map((e) => e.validation));
    expect(done.outcome.predictions.gold).toEqual(params.evalSet.map((e) => e.label));
    expect(done.outcome.predictions.predicted).toHaveLength(7);
    const start = events.find((e) => e.type === 'start') as Extract<FinetuneEvent, { type: 'start' }>;
    expect(start).toMatchObject({ trainExamples: 12, validationExamples: 5, evalExamples: 7 });
  });

  it("checkpoint 'last' scores nothing and keeps the last epoch", async () => {
    const score = jest.fn(taskMetrics);
    const events = await drain(base({ checkpoint: 'last', validation: [], score }));
    expect(score).not.toHaveBeenCalled();
    const done = events.find((e): e is Extract<FinetuneEvent, { type: 'done' }> => e.type === 'done')!;
    expect(done.outcome.selectedEpoch).toBe(HP.epochs);
  });

  it("checkpoint 'best' without a validation part is refused", async () => {
    await expect(drain(base({ validation: [] }))).rejects.toThrow(/checkpoint 'best' needs validation examples/);
  });

  it('a task head of another size (2-class checkpoint, 3-class task) is replaced, with an event', async () => {
    const task = getTask('klue-nli');
    const events = await drain(base({ task, train: examples({ count: 8, seed: 1, classes: 3 }), validation: examples({ count: 3, seed: 2, classes: 3 }) }));
    expect(events[0]).toEqual({
      type: 'head-replaced',
      tensors: [
        { name: 'classifier.weight', checkpointShape: [2, 16], expectedShape: [3, 16] },
        { name: 'classifier.bias', checkpointShape: [2], expectedShape: [3] },
      ],
    });
  });

  it('a non-finite training loss stops fine-tuning with one line; nothing is scored', async () => {
    const score = jest.fn(taskMetrics);
    const train = examples({ count: 8, seed: 1, label: (i) => (i === 6 ? Number.NaN : 2.5) });
    const error = await drain(base({ task: getTask('glue-stsb'), train, score })).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error!.code).toBe('LOSS_NOT_FINITE');
    expect(error!.message).toMatch(/^fine-tuning glue-stsb \(seed 5\) stopped: the training loss is NaN at step [12] \(epoch 1\); nothing was scored$/);
    expect(score).not.toHaveBeenCalled();
  });

  it('a checkpoint missing an encoder tensor is refused before any training', async () => {
    const broken = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-broken-'));
    await fs.copyFile(path.join(dir, 'config.json'), path.join(broken, 'config.json'));
    const { tensors } = await readSafetensors(path.join(dir, 'model.safetensors'));
    tensors.delete('bert.encoder.layer.0.attention.self.query.weight');
    await writeSafetensors(path.join(broken, 'model.safetensors'), tensors, { format: 'pt' });
    const events: FinetuneEvent[] = [];
    const error = await (async () => {
      for await (const event of finetuneIter(base({ model: broken }))) events.push(event);
    })().then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error!.code).toBe('CHECKPOINT_INCOMPLETE');
    expect(error!.message).toContain('bert.encoder.layer.0.attention.self.query.weight');
    expect(events).toEqual([]);
    await fs.rm(broken, { recursive: true });
  });
});
