import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel, parseBertConfig } from '@koenbert/bert';
import { initBackend, isKoenbertError, SeededRng } from '@koenbert/tensor-utils';
import { finetuneIter, type FinetuneParams } from '../src/lib/finetune/finetune-iter';
import { taskMetrics } from '../src/lib/metrics/task-metrics';
import { getTask } from '../src/lib/tasks/task-registry';
import type { EncodedExample } from '../src/lib/tokenize/encode-examples';

// What the shared training step (applyTrainingStep) and the out-of-memory line give fine-tuning: a gradient norm
// that is not finite stops it before the update like a non-finite loss does, and a library caller whose wasm heap
// runs out gets the one line with the numbers and the ways out.

const VOCAB = 40;
let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'finetune-guards-'));
  const model = BertModel.create({
    config: parseBertConfig({ vocab_size: VOCAB, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 }),
    task: 'base',
    seed: 1,
  });
  await model.savePretrained(dir);
  model.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

function examples(count: number, seed: number): EncodedExample[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const inputIds = [2, ...Array.from({ length: 6 }, () => 5 + rng.int(VOCAB - 5)), 3];
    return { id: String(i), inputIds, tokenTypeIds: inputIds.map(() => 0), label: rng.int(2) };
  });
}

function params(overrides: Partial<FinetuneParams> = {}): FinetuneParams {
  return {
    task: getTask('glue-sst2'),
    model: dir,
    train: examples(8, 1),
    evalSet: examples(4, 2),
    hyperparameters: { lr: 1e-3, epochs: 1, batchSize: 8, maxLength: 16, warmupRatio: 0, weightDecay: 0.01, seed: 3 },
    checkpoint: 'last',
    tokenTypeIds: true,
    padId: 0,
    evalBatchSize: 4,
    maxGradNorm: 1,
    ...overrides,
  };
}

async function failure(run: FinetuneParams): Promise<Error & { code?: string }> {
  try {
    for await (const event of finetuneIter(run)) void event;
  } catch (error) {
    return error as Error;
  }
  throw new Error('fine-tuning did not fail');
}

describe('finetuneIter through the shared training step', () => {
  it('a finite loss with a non-finite gradient stops before the update, nothing scored, no tensor left behind', async () => {
    const original = BertModel.prototype.valueAndGrads;
    jest.spyOn(BertModel.prototype, 'valueAndGrads').mockImplementation(function (this: BertModel, lossFn) {
      const result = original.call(this, lossFn);
      const [name, grad] = [...result.grads][0];
      result.grads.set(name, tf.mul(grad, Number.POSITIVE_INFINITY));
      grad.dispose();
      return result;
    });
    const score = jest.fn(taskMetrics);
    const tensors = tf.memory().numTensors;
    const error = await failure(params({ score }));
    expect(error.code).toBe('LOSS_NOT_FINITE');
    expect(error.message).toMatch(/^fine-tuning glue-sst2 \(seed 3\) stopped: the training gradient norm is (NaN|Infinity) at step 1 \(epoch 1\); nothing was scored$/);
    expect(score).not.toHaveBeenCalled();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('an exhausted wasm heap becomes OUT_OF_MEMORY with the estimate and the ways out', async () => {
    jest.spyOn(BertModel.prototype, 'valueAndGrads').mockImplementation(() => {
      // @ts-expect-error -- Node has the WebAssembly global, @types/node 20 does not declare it (see tensor-utils' web-assembly-api.ts)
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    });
    const error = await failure(params());
    expect(isKoenbertError(error) && error.code).toBe('OUT_OF_MEMORY');
    expect(error.message).toMatch(
      /^eval glue-sst2: ran out of memory on wasm during training \(memory access out of bounds; the estimate was \d+\.\d GiB of the wasm heap's 4 GiB\)\. Ways out: microBatchSize [1-7] \(the same 8 sequences per step\), about \d+ [KM]iB; or install @tensorflow\/tfjs-node/,
    );
  });
});
