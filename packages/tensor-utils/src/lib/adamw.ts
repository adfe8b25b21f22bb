import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from './errors';
import type { TensorRecord, TensorSource } from './safetensors/tensor-record';
import { ADAMW_UPDATE, type AdamWUpdateAttrs } from './wasm-kernels/adamw-update';

export interface AdamWParams {
  /** Learning rate used when `applyGradients` gets none (e.g. no schedule). */
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Added to sqrt(v̂), as torch does. Default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay, torch.optim.AdamW's default 0.01. */
  weightDecay?: number;
  /** Parameters that get no weight decay. Default: `defaultDecayExcluded` (names containing 'bias' or 'LayerNorm.weight'). */
  decayExcluded?: (name: string) => boolean;
}

/**
 * Optimizer state for checkpoints. `moments` holds `<param>.exp_avg` and `<param>.exp_avg_sq` (torch's names) as F32
 * records; `step` counts `applyGradients` calls; `paramSteps` is each parameter's own update count (torch keeps one per
 * parameter: a parameter without a gradient in a call is not advanced). When `paramSteps` is absent on `setState`,
 * every parameter with moments is taken to be at `step`.
 */
export interface AdamWState {
  step: number;
  moments: Map<string, TensorRecord>;
  paramSteps?: Record<string, number>;
}

/** transformers' convention (`no_decay = ["bias", "LayerNorm.weight"]`): biases and LayerNorm gains are not decayed. */
export function defaultDecayExcluded(name: string): boolean {
  return name.includes('bias') || name.includes('LayerNorm.weight');
}

interface Moments {
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
  step: number;
}

/**
 * AdamW exactly as torch.optim.AdamW (torch 1.13, amsgrad off, maximize off) computes it, per parameter:
 *   p ← p · (1 − lr·wd);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   p ← p − lr / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 * Moments are tf.Variables owned by the optimizer (created on a parameter's first gradient); `dispose()` frees them.
 * Where the backend has the project's fused kernel (wasm), each parameter is updated in one pass; elsewhere op by op.
 * Both run the same float32 operations in the same order.
 */
export class AdamW {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly decayExcluded: (name: string) => boolean;
  private step = 0;
  private readonly moments = new Map<string, Moments>();

  constructor(params: AdamWParams) {
    this.lr = params.lr;
    this.beta1 = params.beta1 ?? 0.9;
    this.beta2 = params.beta2 ?? 0.999;
    this.epsilon = params.epsilon ?? 1e-8;
    this.weightDecay = params.weightDecay ?? 0.01;
    this.decayExcluded = params.decayExcluded ?? defaultDecayExcluded;
    checkNumber('lr', this.lr, 0, Infinity);
    checkNumber('beta1', this.beta1, 0, 1);
    checkNumber('beta2', this.beta2, 0, 1);
    checkNumber('epsilon', this.epsilon, 0, Infinity);
    checkNumber('weightDecay', this.weightDecay, 0, Infinity);
  }

  /** Number of `applyGradients` calls so far. */
  get iterations(): number {
    return this.step;
  }

  /**
   * One optimizer step: every parameter in `grads` is updated in place (`params` must hold it, same shape, float32).
   * Parameters of `params` without a gradient are left alone. `lr` overrides the constructor's value for this step
   * (pass the schedule's value). Leaves no tensors behind except each parameter's two moment variables.
   */
  applyGradients(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number = this.lr): void {
    checkNumber('lr', lr, 0, Infinity);
    for (const [name, grad] of grads) {
      const param = params.get(name);
      if (!param) {
        throw new KoenbertError({ code: 'OPTIMIZER_INVALID', message: `AdamW: gradient for "${name}", which is not among the parameters` });
      }
      if (!sameShape(param.shape, grad.shape) || param.dtype !== 'float32' || grad.dtype !== 'float32') {
        throw new KoenbertError({
          code: 'OPTIMIZER_INVALID',
          message: `AdamW: "${name}" is ${param.dtype} [${param.shape}] but its gradient is ${grad.dtype} [${grad.shape}]; both must be float32 of the same shape`,
        });
      }
    }
    this.step += 1;
    const fused = tf.getKernel(ADAMW_UPDATE, tf.getBackend()) !== undefined;
    for (const [name, grad] of grads) {
      const param = params.get(name) as tf.Variable;
      const state = this.momentsFor(name, param.shape);
      state.step += 1;
      const weightDecay = this.decayExcluded(name) ? 0 : this.weightDecay;
      const stepSize = lr / (1 - this.beta1 ** state.step);
      const biasCorrection2Sqrt = Math.sqrt(1 - this.beta2 ** state.step);
      if (fused) {
        const attrs: AdamWUpdateAttrs = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, stepSize, biasCorrection2Sqrt, decayFactor: 1 - lr * weightDecay };
        const [updated, expAvg, expAvgSq] = tf.engine().runKernel(ADAMW_UPDATE, { param, grad, expAvg: state.expAvg, expAvgSq: state.expAvgSq }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        state.expAvg.assign(expAvg);
        state.expAvgSq.assign(expAvgSq);
        param.assign(updated);
        tf.dispose([updated, expAvg, expAvgSq]);
        continue;
      }
      // Staged tidies keep few full-size temporaries alive at once (for big embedding matrices that sets the
      // optimizer's memory peak); the float32 operations and their order are the same as in one expression.
      const expAvg = tf.tidy(() => tf.add(tf.mul(state.expAvg, this.beta1), tf.mul(grad, 1 - this.beta1)));
      const expAvgSq = tf.tidy(() => tf.add(tf.mul(state.expAvgSq, this.beta2), tf.mul(tf.mul(grad, 1 - this.beta2), grad)));
      const step = tf.tidy(() => {
        const denom = tf.tidy(() => tf.add(tf.div(tf.sqrt(expAvgSq), biasCorrection2Sqrt), this.epsilon));
        return tf.mul(tf.div(expAvg, denom), -stepSize);
      });
      state.expAvg.assign(expAvg);
      state.expAvgSq.assign(expAvgSq);
      tf.dispose([expAvg, expAvgSq]);
      const updated = tf.tidy(() => tf.add(weightDecay === 0 ? param : tf.mul(param, 1 - lr * weightDecay), step));
      step.dispose();
      param.assign(updated);
      updated.dispose();
    }
  }

  /** A copy of the optimizer state (F32 records, read synchronously from the backend). */
  getState(): AdamWState {
    return this.stateOf(toRecord);
  }

  /**
   * The state as `getState` gives it, but with each moment read only when `writeSafetensors` reaches it (so a
   * checkpoint holds one moment's copy at a time, not all of them). Read before the next `applyGradients`.
   */
  getStateSources(): { step: number; moments: Map<string, TensorSource>; paramSteps: Record<string, number> } {
    return this.stateOf(toSource);
  }

  private stateOf<Entry>(entry: (moment: tf.Variable) => Entry): { step: number; moments: Map<string, Entry>; paramSteps: Record<string, number> } {
    const moments = new Map<string, Entry>();
    const paramSteps: Record<string, number> = {};
    for (const [name, state] of this.moments) {
      moments.set(`${name}.exp_avg`, entry(state.expAvg));
      moments.set(`${name}.exp_avg_sq`, entry(state.expAvgSq));
      paramSteps[name] = state.step;
    }
    return { step: this.step, moments, paramSteps };
  }

  /** Replaces the whole state (existing moments are disposed) with a copy of `state`; resumes bit-exact. */
  setState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new KoenbertError({ code: 'OPTIMIZER_STATE_INVALID', message: `AdamW state: step must be a non-negative integer, got ${state.step}` });
    }
    const names = new Set<string>();
    for (const key of state.moments.keys()) {
      const match = /^(.*)\.(exp_avg|exp_avg_sq)$/.exec(key);
      if (!match) {
        throw new KoenbertError({ code: 'OPTIMIZER_STATE_INVALID', message: `AdamW state: unexpected entry "${key}" (expected <param>.exp_avg / <param>.exp_avg_sq)` });
      }
      names.add(match[1]);
    }
    const loaded = new Map<string, Moments>();
    for (const name of names) {
      const expAvg = state.moments.get(`${name}.exp_avg`);
      const expAvgSq = state.moments.get(`${name}.exp_avg_sq`);
      if (!expAvg || !expAvgSq || !sameShape(expAvg.shape, expAvgSq.shape) || expAvg.dtype !== 'F32' || expAvgSq.dtype !== 'F32') {
        throw new KoenbertError({
          code: 'OPTIMIZER_STATE_INVALID',
          message: `AdamW state: "${name}" needs both exp_avg and exp_avg_sq as F32 tensors of the same shape`,
        });
      }
      const step = state.paramSteps?.[name] ?? state.step;
      if (!Number.isInteger(step) || step < 1 || step > state.step) {
        throw new KoenbertError({ code: 'OPTIMIZER_STATE_INVALID', message: `AdamW state: step of "${name}" must be an integer in [1, ${state.step}], got ${step}` });
      }
      loaded.set(name, { expAvg: fromRecord(expAvg, name, 'exp_avg'), expAvgSq: fromRecord(expAvgSq, name, 'exp_avg_sq'), step });
    }
    this.dispose();
    for (const [name, moments] of loaded) this.moments.set(name, moments);
    this.step = state.step;
  }

  /** Frees the moment variables; the optimizer starts from scratch if used again. */
  dispose(): void {
    for (const { expAvg, expAvgSq } of this.moments.values()) {
      expAvg.dispose();
      expAvgSq.dispose();
    }
    this.moments.clear();
    this.step = 0;
  }

  private momentsFor(name: string, shape: number[]): Moments {
    const existing = this.moments.get(name);
    if (existing) {
      if (!sameShape(existing.expAvg.shape, shape)) {
        throw new KoenbertError({
          code: 'OPTIMIZER_STATE_INVALID',
          message: `AdamW: moments of "${name}" have shape [${existing.expAvg.shape}] but the parameter is [${shape}]`,
        });
      }
      return existing;
    }
    const created = { expAvg: zerosVariable(shape, `${name}.exp_avg`), expAvgSq: zerosVariable(shape, `${name}.exp_avg_sq`), step: 0 };
    this.moments.set(name, created);
    return created;
  }
}

let variableCounter = 0;

function zerosVariable(shape: number[], name: string): tf.Variable {
  const zeros = tf.zeros(shape, 'float32');
  const variable = tf.variable(zeros, false, uniqueName(name));
  zeros.dispose();
  return variable;
}

function fromRecord(record: TensorRecord, name: string, which: string): tf.Variable {
  const expected = record.shape.reduce((a, b) => a * b, 1);
  if (!(record.data instanceof Float32Array) || record.data.length !== expected) {
    throw new KoenbertError({
      code: 'OPTIMIZER_STATE_INVALID',
      message: `AdamW state: ${name}.${which} has ${record.data.length} values for shape [${record.shape}]`,
    });
  }
  const values = tf.tensor(Float32Array.from(record.data), record.shape, 'float32');
  const variable = tf.variable(values, false, uniqueName(`${name}.${which}`));
  values.dispose();
  return variable;
}

/** tfjs variable names are global: several optimizers (or a restored one) must not clash. */
function uniqueName(name: string): string {
  variableCounter += 1;
  return `adamw/${variableCounter}/${name}`;
}

function toRecord(variable: tf.Variable): TensorRecord {
  return { dtype: 'F32', shape: [...variable.shape], data: Float32Array.from(variable.dataSync() as Float32Array) };
}

function toSource(variable: tf.Variable): TensorSource {
  return { dtype: 'F32', shape: [...variable.shape], read: () => variable.dataSync() as Float32Array };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}

function checkNumber(field: string, value: number, min: number, maxExclusive: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value >= maxExclusive) {
    const range = maxExclusive === Infinity ? `≥ ${min}` : `in [${min}, ${maxExclusive})`;
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `AdamW: ${field} must be a finite number ${range}, got ${value}` });
  }
}
