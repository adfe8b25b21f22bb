import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from './backend/init-backend';
import { AdamW, defaultDecayExcluded } from './adamw';
import { clipByGlobalNorm } from './clip-by-global-norm';
import { KoenbertError } from './errors';
import { linearWarmupDecay } from './lr-schedule';
import { readSafetensors } from './safetensors/read-safetensors';
import { writeSafetensors } from './safetensors/write-safetensors';
import { SeededRng } from './seeded-rng';
import { ADAMW_UPDATE } from './wasm-kernels/adamw-update';
import { registerWasmKernels } from './wasm-kernels/register-wasm-kernels';

// Made by tools/golden/make-adamw-golden.py with torch.optim.AdamW, LambdaLR and clip_grad_norm_ (torch 1.13, float32).
interface GoldenStep {
  grads: Record<string, number[] | null>;
  lr: number;
  globalNorm?: number;
  clippedGrads?: Record<string, number[] | null>;
  params: Record<string, number[]>;
}
interface GoldenCase {
  name: string;
  config: {
    lr: number; beta1: number; beta2: number; epsilon: number; weightDecay: number;
    schedule: { warmupSteps: number; totalSteps: number } | null; maxNorm: number | null;
  };
  shapes: Record<string, number[]>;
  initial: Record<string, number[]>;
  steps: GoldenStep[];
  final: Record<string, { step: number; exp_avg: number[]; exp_avg_sq: number[] }>;
}
const golden: { torch: string; cases: GoldenCase[] } = JSON.parse(
  readFileSync(path.join(__dirname, '../../test/fixtures/adamw-golden.json'), 'utf8'),
);

/** Largest |actual − expected| / max(|expected|, floor) over all elements. */
function maxRelativeError(actual: ArrayLike<number>, expected: number[], floor: number): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor));
  }
  return worst;
}

function makeParams(testCase: GoldenCase): Map<string, tf.Variable> {
  return new Map(
    Object.entries(testCase.initial).map(([name, values]) => [name, tf.variable(tf.tensor(values, testCase.shapes[name]), true, `${name}/${Math.random()}`)]),
  );
}

function disposeAll(tensors: Iterable<tf.Tensor>): void {
  for (const tensor of tensors) tensor.dispose();
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('AdamW against torch.optim.AdamW (golden file)', () => {
  it.each(golden.cases.map((testCase) => [testCase.name, testCase]))('%s', (_name, testCase) => {
    const { config } = testCase as GoldenCase;
    const params = makeParams(testCase as GoldenCase);
    const optimizer = new AdamW({ lr: config.lr, beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon, weightDecay: config.weightDecay });
    let worstParam = 0;
    let worstUpdate = 0;
    let previous = (testCase as GoldenCase).initial;
    (testCase as GoldenCase).steps.forEach((step, index) => {
      const lr = config.schedule ? linearWarmupDecay({ step: index, peakLr: config.lr, ...config.schedule }) : config.lr;
      expect(lr).toBeCloseTo(step.lr, 15);
      let grads = new Map<string, tf.Tensor>();
      for (const [name, values] of Object.entries(step.grads)) if (values) grads.set(name, tf.tensor(values, params.get(name)!.shape));
      if (config.maxNorm !== null) {
        const clipped = clipByGlobalNorm(grads, config.maxNorm);
        expect(Math.abs(clipped.globalNorm - step.globalNorm!) / step.globalNorm!).toBeLessThan(1e-6);
        for (const [name, grad] of clipped.grads) {
          expect(maxRelativeError(grad.dataSync(), step.clippedGrads![name]!, 1e-3)).toBeLessThan(1e-6);
        }
        disposeAll(grads.values());
        grads = clipped.grads;
      }
      optimizer.applyGradients(params, grads, lr);
      disposeAll(grads.values());
      for (const [name, param] of params) {
        const actual = param.dataSync();
        worstParam = Math.max(worstParam, maxRelativeError(actual, step.params[name], config.lr));
        // The update itself (p_t − p_{t−1}), a far stricter check than the parameter values.
        const update = Array.from(actual, (value, i) => value - previous[name][i]);
        const expectedUpdate = step.params[name].map((value, i) => value - previous[name][i]);
        const scale = Math.max(...expectedUpdate.map(Math.abs), 1e-30);
        worstUpdate = Math.max(worstUpdate, Math.max(...update.map((u, i) => Math.abs(u - expectedUpdate[i]))) / scale);
      }
      previous = step.params;
    });
    // Parameters (measured worst 2.6e-7): ≤ 1e-6 relative to max(|p|, peak lr) — a parameter within a step or two of 0 is the difference of two
    // numbers of the step's size, so it carries their float32 rounding. Updates: float32 rounding of p itself
    // (~6e-8 · |p| / |Δp|) dominates; ≤ 2e-4 of the largest update (measured 3.8e-5).
    expect(worstParam).toBeLessThan(1e-6);
    expect(worstUpdate).toBeLessThan(2e-4);
    const state = optimizer.getState();
    for (const [name, expected] of Object.entries((testCase as GoldenCase).final)) {
      expect(state.paramSteps![name]).toBe(expected.step);
      expect(maxRelativeError(state.moments.get(`${name}.exp_avg`)!.data as Float32Array, expected.exp_avg, 1e-6 * Math.max(...expected.exp_avg.map(Math.abs)))).toBeLessThan(1e-5);
      expect(maxRelativeError(state.moments.get(`${name}.exp_avg_sq`)!.data as Float32Array, expected.exp_avg_sq, 1e-6 * Math.max(...expected.exp_avg_sq.map(Math.abs)))).toBeLessThan(1e-5);
    }
    optimizer.dispose();
    disposeAll(params.values());
  });
});

describe('AdamW on wasm: the fused kernel (csrc/adamw.c) and the op-by-op path', () => {
  // Sizes cover the 4-lane loop and every tail length; names cover decayed and excluded parameters.
  const shapes: Record<string, number[]> = { 'dense.weight': [37, 5], 'dense.bias': [7], 'LayerNorm.weight': [6], 'embeddings.weight': [64, 3], tiny: [1] };

  function run(fused: boolean): Record<string, Float32Array> {
    if (!fused) tf.unregisterKernel(ADAMW_UPDATE, 'wasm');
    try {
      const rng = new SeededRng(3);
      const params = new Map(Object.entries(shapes).map(([name, shape]) => [name, tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 5), true, `fused-${fused}/${name}`)]));
      const optimizer = new AdamW({ lr: 3e-3, weightDecay: 0.1 });
      for (let step = 0; step < 3; step++) {
        const grads = new Map([...params].map(([name, param]) => [name, tf.tensor(Array.from({ length: param.size }, () => rng.normal() * 10 ** (step - 1)), param.shape)]));
        optimizer.applyGradients(params, grads);
        disposeAll(grads.values());
      }
      const result: Record<string, Float32Array> = {};
      for (const [name, param] of params) result[name] = param.dataSync() as Float32Array;
      for (const [name, record] of optimizer.getState().moments) result[name] = record.data as Float32Array;
      optimizer.dispose();
      disposeAll(params.values());
      return result;
    } finally {
      registerWasmKernels();
    }
  }

  it('is registered on wasm', () => {
    expect(tf.getKernel(ADAMW_UPDATE, 'wasm')).toBeDefined();
  });

  it('give the same bits for every parameter and both moments over 3 steps', () => {
    const fused = run(true);
    const opByOp = run(false);
    expect(Object.keys(fused).sort()).toEqual(Object.keys(opByOp).sort());
    expect(Object.keys(fused)).toHaveLength(3 * Object.keys(shapes).length);
    for (const key of Object.keys(fused)) {
      expect([key, Buffer.compare(Buffer.from(fused[key].buffer), Buffer.from(opByOp[key].buffer))]).toEqual([key, 0]);
    }
    // And something happened: the parameters moved from their initial values and the moments are not zero.
    const initial = tf.tidy(() => tf.randomNormal(shapes['dense.weight'], 0, 1, 'float32', 5).dataSync());
    expect(fused['dense.weight'].every((value, i) => value !== initial[i])).toBe(true);
    expect(fused['dense.weight.exp_avg_sq'].every((value) => value > 0)).toBe(true);
  });
});

describe('AdamW: memory, state, errors', () => {
  const testCase = golden.cases[0];
  const gradsAt = (index: number, params: Map<string, tf.Variable>) =>
    new Map(Object.entries(testCase.steps[index].grads).filter(([, v]) => v).map(([name, values]) => [name, tf.tensor(values!, params.get(name)!.shape)]));

  it('leaks nothing: after the first step only the two moments per parameter remain; dispose frees them', () => {
    const params = makeParams(testCase);
    const optimizer = new AdamW({ lr: 1e-3 });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const grads = gradsAt(0, params);
      optimizer.applyGradients(params, grads, 1e-3);
      disposeAll(grads.values());
      counts.push(tf.memory().numTensors);
    }
    expect(counts).toEqual(new Array(5).fill(before + 2 * params.size));
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeAll(params.values());
  });

  it('getStateSources gives the same state as getState, each moment read on demand', () => {
    const params = makeParams(testCase);
    const optimizer = new AdamW({ lr: 1e-3, weightDecay: 0.05 });
    for (let i = 0; i < 2; i++) {
      const grads = gradsAt(i, params);
      optimizer.applyGradients(params, grads);
      disposeAll(grads.values());
    }
    const eager = optimizer.getState();
    const lazy = optimizer.getStateSources();
    expect(lazy.step).toBe(eager.step);
    expect(lazy.paramSteps).toEqual(eager.paramSteps);
    expect([...lazy.moments.keys()]).toEqual([...eager.moments.keys()]);
    for (const [key, source] of lazy.moments) {
      expect(source.shape).toEqual(eager.moments.get(key)!.shape);
      expect(Array.from(source.read() as Float32Array)).toEqual(Array.from(eager.moments.get(key)!.data as Float32Array));
    }
    optimizer.dispose();
    disposeAll(params.values());
  });

  it('getState → safetensors → setState resumes bit-exact', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'adamw-state-'));
    try {
      const paramsA = makeParams(testCase);
      const paramsB = makeParams(testCase);
      const a = new AdamW({ lr: 1e-3, weightDecay: 0.05 });
      for (let i = 0; i < 5; i++) {
        const grads = gradsAt(i, paramsA);
        a.applyGradients(paramsA, grads);
        disposeAll(grads.values());
      }
      for (const [name, param] of paramsA) paramsB.get(name)!.assign(param);
      const saved = a.getState();
      await writeSafetensors(path.join(dir, 'optimizer.safetensors'), saved.moments, { paramSteps: JSON.stringify(saved.paramSteps) });
      const { tensors, metadata } = await readSafetensors(path.join(dir, 'optimizer.safetensors'));
      const b = new AdamW({ lr: 1e-3, weightDecay: 0.05 });
      const before = tf.memory().numTensors;
      b.setState({ step: saved.step, moments: tensors, paramSteps: JSON.parse(metadata.paramSteps) });
      expect(tf.memory().numTensors).toBe(before + saved.moments.size);
      expect(b.iterations).toBe(5);
      for (let i = 5; i < 10; i++) {
        for (const [optimizer, params] of [[a, paramsA], [b, paramsB]] as const) {
          const grads = gradsAt(i, params);
          optimizer.applyGradients(params, grads);
          disposeAll(grads.values());
        }
      }
      for (const [name, param] of paramsA) expect(Array.from(paramsB.get(name)!.dataSync())).toEqual(Array.from(param.dataSync()));
      expect(b.getState().paramSteps).toEqual(a.getState().paramSteps);
      a.dispose();
      b.dispose();
      disposeAll([...paramsA.values(), ...paramsB.values()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('excludes biases and LayerNorm gains from weight decay by default; a custom rule replaces it', () => {
    expect(['bert.encoder.layer.0.output.dense.bias', 'bert.embeddings.LayerNorm.weight', 'bert.embeddings.LayerNorm.bias', 'cls.predictions.bias'].map(defaultDecayExcluded)).toEqual([true, true, true, true]);
    expect(['bert.encoder.layer.0.output.dense.weight', 'bert.embeddings.word_embeddings.weight', 'classifier.weight'].map(defaultDecayExcluded)).toEqual([false, false, false]);
    // With a zero gradient, Adam's term is 0 and only decay moves a parameter: p · (1 − lr·wd).
    const params = new Map([
      ['w', tf.variable(tf.tensor([2, -4]), true, `w/${Math.random()}`)],
      ['keep', tf.variable(tf.tensor([2, -4]), true, `keep/${Math.random()}`)],
    ]);
    const optimizer = new AdamW({ lr: 0.1, weightDecay: 0.5, decayExcluded: (name) => name === 'keep' });
    const grads = new Map([['w', tf.zeros([2])], ['keep', tf.zeros([2])]]);
    optimizer.applyGradients(params, grads);
    expect(Array.from(params.get('w')!.dataSync())).toEqual([Math.fround(2 * Math.fround(0.95)), Math.fround(-4 * Math.fround(0.95))]);
    expect(Array.from(params.get('keep')!.dataSync())).toEqual([2, -4]);
    disposeAll([...grads.values(), ...params.values()]);
    optimizer.dispose();
  });

  it('rejects unknown gradients, shape mismatches, bad hyper-parameters and malformed state with KoenbertError', () => {
    const params = new Map([['w', tf.variable(tf.zeros([2, 3]), true, `w/${Math.random()}`)]]);
    const optimizer = new AdamW({ lr: 1e-3 });
    const wrongShape = new Map([['w', tf.zeros([3, 2])]]);
    const unknown = new Map([['v', tf.zeros([2, 3])]]);
    expect(() => optimizer.applyGradients(params, wrongShape)).toThrow(/"w" is float32 \[2,3\] but its gradient is float32 \[3,2\]/);
    expect(() => optimizer.applyGradients(params, unknown)).toThrow(/gradient for "v", which is not among the parameters/);
    expect(optimizer.iterations).toBe(0);
    expect(() => new AdamW({ lr: -1 })).toThrow(KoenbertError);
    expect(() => new AdamW({ lr: 1e-3, beta2: 1 })).toThrow(/beta2 must be a finite number in \[0, 1\)/);
    expect(() => optimizer.setState({ step: 1, moments: new Map([['w.exp_avg', { dtype: 'F32', shape: [1], data: new Float32Array(1) }]]) })).toThrow(/needs both exp_avg and exp_avg_sq/);
    expect(() => optimizer.setState({ step: 1, moments: new Map([['w.momentum', { dtype: 'F32', shape: [1], data: new Float32Array(1) }]]) })).toThrow(/unexpected entry "w.momentum"/);
    disposeAll([...wrongShape.values(), ...unknown.values(), ...params.values()]);
    optimizer.dispose();
  });
});
