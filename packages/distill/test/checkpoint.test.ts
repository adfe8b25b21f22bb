import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AdamW, initBackend, SeededRng } from '@koenbert/tensor-utils';
import { latestCheckpoint, restoreCheckpoint, writeCheckpoint } from '../src/lib/train/checkpoint';
import { removeDir, tempDir } from './helpers/temp-dir';

function makeParams(seed: number): Map<string, tf.Variable> {
  const rng = new SeededRng(seed);
  const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const variable = (initial: tf.Tensor) => {
    const v = tf.variable(initial, true);
    initial.dispose();
    return v;
  };
  return new Map([
    ['layer.weight', variable(tf.tensor2d(values(12), [3, 4]))],
    ['layer.bias', variable(tf.tensor1d(values(4)))],
  ]);
}

/** A few AdamW steps on a fixed quadratic loss. */
function train(params: Map<string, tf.Variable>, optimizer: AdamW, steps: number): void {
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const vars = [...params.values()];
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(tf.matMul(tf.ones([2, 3]), params.get('layer.weight')!), params.get('layer.bias')!))) as tf.Scalar, vars);
      const byName = new Map([...params].map(([name, v]) => [name, grads[v.name]]));
      optimizer.applyGradients(params, byName, 0.05);
    });
  }
}

const snapshot = (params: Map<string, tf.Variable>) => [...params.values()].map((v) => Array.from(v.dataSync()));

describe('checkpoints', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    dir = await tempDir();
  });
  afterAll(() => removeDir(dir));

  it('a restored model and optimizer continue bit-identically, latest.json points at the newest, old ones are pruned', async () => {
    const before = tf.memory().numTensors;
    const straight = makeParams(1);
    const straightOpt = new AdamW({ lr: 0.05 });
    train(straight, straightOpt, 7);

    const first = makeParams(1);
    const firstOpt = new AdamW({ lr: 0.05 });
    for (const step of [1, 2, 3]) {
      train(first, firstOpt, 1);
      await writeCheckpoint({ dir, step, params: first, optimizer: firstOpt, training: { note: `after ${step}`, rng: [1, 2, 3] }, keep: 2 });
    }
    expect((await fs.readdir(dir)).sort()).toEqual(['latest.json', 'step-00000002', 'step-00000003']);
    const latest = await latestCheckpoint(dir);
    expect(latest).toBe(path.join(dir, 'step-00000003'));

    const resumed = makeParams(99); // different values: all must be overwritten
    const resumedOpt = new AdamW({ lr: 0.05 });
    const state = await restoreCheckpoint<{ note: string }>({ checkpoint: latest!, params: resumed, optimizer: resumedOpt });
    expect(state.step).toBe(3);
    expect(state.training.note).toBe('after 3');
    expect(snapshot(resumed)).toEqual(snapshot(first));
    train(resumed, resumedOpt, 4);
    expect(snapshot(resumed)).toEqual(snapshot(straight));

    for (const p of [straight, first, resumed]) for (const v of p.values()) v.dispose();
    for (const o of [straightOpt, firstOpt, resumedOpt]) o.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the parameter when a checkpoint does not fit the model', async () => {
    const other = new Map([['layer.weight', tf.variable(tf.zeros([4, 4]))]]);
    await expect(restoreCheckpoint({ checkpoint: path.join(dir, 'step-00000003'), params: other, optimizer: new AdamW({ lr: 1 }) })).rejects.toThrow(
      /parameter layer\.weight: expected F32 \[4,4\], found F32 \[3,4\]/,
    );
    expect(await latestCheckpoint(path.join(dir, 'nothing-here'))).toBeUndefined();
    other.get('layer.weight')!.dispose();
  });
});
