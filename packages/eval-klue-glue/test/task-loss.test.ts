import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel, parseBertConfig } from '@koenbert/bert';
import { initBackend, SeededRng } from '@koenbert/tensor-utils';
import { bertTaskOf } from '../src/lib/finetune/bert-task-of';
import { finetuneIter, type FinetuneEvent } from '../src/lib/finetune/finetune-iter';
import { IGNORE_LABEL } from '../src/lib/ner/align-char-labels';
import { getTask, type TaskName, type TaskSpec } from '../src/lib/tasks/task-registry';
import type { EncodedExample } from '../src/lib/tokenize/encode-examples';
import { KNOWN_BIAS, nll, setKnownHead } from './known-logits';

// Issue 17: a wrong task loss must fail a test. The loss fine-tuning reports at its first step is checked against a
// closed form computed here in float64 for a checkpoint whose logits are known (known-logits.ts).

function examples(task: TaskSpec, count: number, seed: number): EncodedExample[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const length = 3 + (i % 4); // different lengths: the batch has padding
    const inputIds = [2, ...Array.from({ length }, () => 5 + rng.int(24)), 3];
    const base = { id: String(i), inputIds, tokenTypeIds: inputIds.map(() => 0) };
    if (task.kind === 'regression') return { ...base, label: Math.round(rng.nextFloat() * 50) / 10 };
    if (task.kind === 'classification') return { ...base, label: rng.int(task.labels.length) };
    // [CLS] and [SEP] are ignored, and so is every third word piece (a character's extra pieces)
    return { ...base, tokenLabels: inputIds.map((_, t) => (t === 0 || t === inputIds.length - 1 || t % 3 === 2 ? IGNORE_LABEL : rng.int(task.labels.length))) };
  });
}

/** The closed form of the task's loss on the whole set when every row's logits are `bias`. */
function expectedLoss(task: TaskSpec, set: EncodedExample[], bias: number[]): number {
  if (task.kind === 'regression') return set.reduce((sum, e) => sum + (bias[0] - e.label!) ** 2, 0) / set.length;
  if (task.kind === 'classification') return set.reduce((sum, e) => sum + nll(bias, e.label!), 0) / set.length;
  const counted = set.flatMap((e) => e.tokenLabels!).filter((label) => label !== IGNORE_LABEL);
  return counted.reduce((sum, label) => sum + nll(bias, label), 0) / counted.length;
}

describe('the task loss fine-tuning reports', () => {
  let root: string;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-task-loss-'));
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true });
  });

  /** A checkpoint of the task's head whose classifier weight is 0 and bias KNOWN_BIAS[numLabels]. */
  async function knownLogitsModel(task: TaskSpec): Promise<string> {
    const { bertTask, numLabels } = bertTaskOf(task);
    const dir = path.join(root, task.name);
    const config = parseBertConfig({ vocab_size: 30, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 });
    const model = BertModel.create({ config, task: bertTask, numLabels, seed: 1 });
    await model.savePretrained(dir);
    model.dispose();
    await setKnownHead({ dir, numLabels });
    return dir;
  }

  it.each(['klue-nli', 'klue-sts', 'klue-ner'] as TaskName[])('%s: the first step’s loss is the closed form for known logits', async (name) => {
    const task = getTask(name);
    const model = await knownLogitsModel(task);
    const train = examples(task, 10, 7);
    let first: Extract<FinetuneEvent, { type: 'step' }> | undefined;
    const tensors = tf.memory().numTensors;
    for await (const event of finetuneIter({
      task,
      model,
      train,
      evalSet: train,
      hyperparameters: { lr: 1e-3, epochs: 1, batchSize: train.length, maxLength: 16, warmupRatio: 0, weightDecay: 0, seed: 3 },
      checkpoint: 'last',
      tokenTypeIds: true,
      padId: 0,
      evalBatchSize: 8,
      maxGradNorm: 1,
    })) {
      if (event.type === 'step') {
        first = event;
        break; // one batch holds the whole set: its loss is the closed form over all of it
      }
    }
    expect(tf.memory().numTensors).toBe(tensors);
    const expected = expectedLoss(task, train, KNOWN_BIAS[bertTaskOf(task).numLabels]);
    expect(Math.abs(first!.loss - expected)).toBeLessThanOrEqual(1e-6 * expected);
  });
});
