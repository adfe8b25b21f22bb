import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  KoenbertError,
  readSafetensors,
  writeDirAtomic,
  writeFileAtomic,
  writeSafetensors,
  type AdamW,
  type TensorSource,
} from '@koenbert/tensor-utils';

export const CHECKPOINT_FORMAT = 'koenbert-distill-checkpoint/1';
const LATEST = 'latest.json';
const MODEL_FILE = 'model.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'state.json';

/** Everything but the tensors: JSON-serialisable training state (step, RNG, data position, config, …). */
export interface CheckpointState<T = unknown> {
  format: typeof CHECKPOINT_FORMAT;
  /** Optimizer steps completed. */
  step: number;
  optimizer: { step: number; paramSteps?: Record<string, number> };
  /** The trainer's own state (data position, RNG, config, …). */
  training: T;
}

function stepDirName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** The weights, each read from the backend only when the writer reaches it (one copy in memory at a time). */
function toSources(params: Map<string, tf.Variable>): Map<string, TensorSource> {
  const sources = new Map<string, TensorSource>();
  for (const [name, variable] of params) {
    sources.set(name, { dtype: 'F32', shape: [...variable.shape], read: () => variable.dataSync() as Float32Array });
  }
  return sources;
}

/**
 * Writes `<dir>/step-NNNNNNNN/` (model weights, optimizer moments, state.json) atomically, then points
 * `<dir>/latest.json` at it (also atomic), then removes the oldest checkpoints beyond `keep`. A run killed at any
 * moment leaves latest.json pointing at a complete checkpoint.
 */
export async function writeCheckpoint<T>(params: {
  dir: string;
  step: number;
  params: Map<string, tf.Variable>;
  optimizer: AdamW;
  training: T;
  keep: number;
}): Promise<string> {
  const name = stepDirName(params.step);
  const target = path.join(params.dir, name);
  // Read while writing: the caller awaits this before the next optimizer step changes weights or moments.
  const optimizerState = params.optimizer.getStateSources();
  const state: CheckpointState<T> = {
    format: CHECKPOINT_FORMAT,
    step: params.step,
    optimizer: { step: optimizerState.step, paramSteps: optimizerState.paramSteps },
    training: params.training,
  };
  const model = toSources(params.params);
  await writeDirAtomic(target, async (temp) => {
    await writeSafetensors(path.join(temp, MODEL_FILE), model, { format: 'pt' });
    await writeSafetensors(path.join(temp, OPTIMIZER_FILE), optimizerState.moments, { format: 'pt' });
    await fs.writeFile(path.join(temp, STATE_FILE), `${JSON.stringify(state)}\n`);
  });
  await writeFileAtomic(path.join(params.dir, LATEST), `${JSON.stringify({ step: state.step, checkpoint: name })}\n`);
  const all = (await fs.readdir(params.dir)).filter((entry) => /^step-\d{8}$/.test(entry)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - params.keep))) {
    if (old !== name) await fs.rm(path.join(params.dir, old), { recursive: true, force: true });
  }
  return target;
}

/** The folder latest.json points at, or undefined when there is no checkpoint. */
export async function latestCheckpoint(dir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, LATEST), 'utf8');
  } catch {
    return undefined;
  }
  const latest = JSON.parse(text) as { checkpoint: string };
  return path.join(dir, latest.checkpoint);
}

/** Reads state.json of a checkpoint folder. */
export async function readCheckpointState<T>(checkpoint: string): Promise<CheckpointState<T>> {
  const file = path.join(checkpoint, STATE_FILE);
  let state: CheckpointState<T>;
  try {
    state = JSON.parse(await fs.readFile(file, 'utf8')) as CheckpointState<T>;
  } catch (error) {
    throw new KoenbertError({ code: 'CHECKPOINT_INVALID', file, message: `cannot read checkpoint state (${(error as Error).message})`, cause: error });
  }
  if (state.format !== CHECKPOINT_FORMAT) {
    throw new KoenbertError({ code: 'CHECKPOINT_INVALID', file, message: `format is ${JSON.stringify(state.format)}, expected ${CHECKPOINT_FORMAT}` });
  }
  return state;
}

/**
 * Restores model weights (every parameter must be present with its shape) and the optimizer from a checkpoint
 * folder, bit for bit; returns its state.json.
 */
export async function restoreCheckpoint<T>(params: {
  checkpoint: string;
  params: Map<string, tf.Variable>;
  optimizer: AdamW;
}): Promise<CheckpointState<T>> {
  const state = await readCheckpointState<T>(params.checkpoint);
  const modelFile = path.join(params.checkpoint, MODEL_FILE);
  const { tensors } = await readSafetensors(modelFile);
  for (const [name, variable] of params.params) {
    const record = tensors.get(name);
    if (!record || record.dtype !== 'F32' || record.shape.join(',') !== variable.shape.join(',')) {
      throw new KoenbertError({
        code: 'CHECKPOINT_INVALID',
        file: modelFile,
        message: `parameter ${name}: expected F32 [${variable.shape}], found ${record ? `${record.dtype} [${record.shape}]` : 'nothing'}`,
      });
    }
    tf.tidy(() => variable.assign(tf.tensor(record.data as Float32Array, record.shape, 'float32')));
  }
  const moments = (await readSafetensors(path.join(params.checkpoint, OPTIMIZER_FILE))).tensors;
  params.optimizer.setState({ step: state.optimizer.step, moments, paramSteps: state.optimizer.paramSteps });
  return state;
}
