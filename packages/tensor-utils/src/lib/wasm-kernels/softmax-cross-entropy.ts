import type * as tf from '@tensorflow/tfjs';
import { koenbertWasm } from './koenbert-wasm/koenbert-wasm-runtime';
import { asWasmBackend, heapOffset, type KernelArgs } from './wasm-internals';

/** Project kernels (wasm only) behind `sparseSoftmaxCrossEntropy`. */
export const XENT_ROW_STATS = 'KoenbertXentRowStats';
export const XENT_GRAD = 'KoenbertXentGrad';

/** logits [rows, cols] → [row max, Σ e^(x − max)] (csrc/softmax_xent.c). */
export function xentRowStats(args: KernelArgs<'logits'>): tf.TensorInfo[] {
  const { logits } = args.inputs;
  const backend = asWasmBackend(args.backend);
  const [rows, cols] = logits.shape;
  const outputs = [backend.makeOutput([rows], 'float32'), backend.makeOutput([rows], 'float32')];
  if (rows > 0) {
    const [max, sum] = outputs.map((info) => heapOffset(backend, info));
    koenbertWasm(backend).exports.xent_row_stats(heapOffset(backend, logits), rows, cols, max, sum);
  }
  return outputs;
}

/** (softmax(logits) − one-hot(targets)) · scale, 0 on rows whose target is −1; attrs: { scale }. */
export function xentGrad(args: KernelArgs<'logits' | 'targets' | 'lse'>): tf.TensorInfo {
  const { logits, targets, lse } = args.inputs;
  const backend = asWasmBackend(args.backend);
  const [rows, cols] = logits.shape;
  const out = backend.makeOutput(logits.shape, 'float32');
  if (rows > 0) {
    const [logitsAt, targetsAt, lseAt, outAt] = [logits, targets, lse, out].map((info) => heapOffset(backend, info));
    koenbertWasm(backend).exports.xent_grad(logitsAt, targetsAt, lseAt, rows, cols, Number(args.attrs?.scale), outAt);
  }
  return out;
}

export const xentRowStatsConfig: tf.KernelConfig = { kernelName: XENT_ROW_STATS, backendName: 'wasm', kernelFunc: xentRowStats as unknown as tf.KernelFunc };
export const xentGradConfig: tf.KernelConfig = { kernelName: XENT_GRAD, backendName: 'wasm', kernelFunc: xentGrad as unknown as tf.KernelFunc };
