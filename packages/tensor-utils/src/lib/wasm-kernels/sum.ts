import * as tf from '@tensorflow/tfjs';
import { shapeSize } from '../safetensors/tensor-record';
import { koenbertWasm } from './koenbert-wasm/koenbert-wasm-runtime';
import { runStockKernel } from './stock-kernels';
import { asWasmBackend, heapOffset, type KernelArgs } from './wasm-internals';

/** A reduction over consecutive axes seen as x [outer, reduce, inner] → out [outer, inner]. */
export interface ContiguousReduction {
  outer: number;
  reduce: number;
  inner: number;
  outShape: number[];
}

/**
 * The [outer, reduce, inner] view of reducing `shape` over `axes` (negative axes count from the end; null: all, as
 * tf.sum's axis attribute), or undefined when the axes are not one run of consecutive axes (after dropping axes of
 * size 1, which change nothing).
 */
export function contiguousReduction(params: { shape: number[]; axes: number | number[] | null; keepDims: boolean }): ContiguousReduction | undefined {
  const { shape, keepDims } = params;
  const axes = [...new Set(tf.util.parseAxisParam(params.axes as number | number[], shape))].sort((p, q) => p - q);
  const outShape = keepDims ? shape.map((size, axis) => (axes.includes(axis) ? 1 : size)) : shape.filter((_, axis) => !axes.includes(axis));
  const sized = axes.filter((axis) => shape[axis] !== 1);
  if (sized.length === 0) return { outer: shapeSize(shape), reduce: 1, inner: 1, outShape };
  const first = sized[0];
  const last = sized[sized.length - 1];
  for (let axis = first; axis <= last; axis++) {
    if (shape[axis] !== 1 && !sized.includes(axis)) return undefined;
  }
  return {
    outer: shapeSize(shape.slice(0, first)),
    reduce: shapeSize(sized.map((axis) => shape[axis])),
    inner: shapeSize(shape.slice(last + 1)),
    outShape,
  };
}

/**
 * Sum for the wasm backend: float32 over a run of consecutive axes through koenbert's SIMD reduction (csrc/sum.c),
 * without the transpose the stock kernel makes when the reduced axes are not the last ones; other cases go to the
 * stock kernel.
 */
export function sum(args: KernelArgs<'x'>): tf.TensorInfo {
  const { x } = args.inputs;
  const axes = (args.attrs?.axis ?? null) as number | number[] | null;
  const keepDims = Boolean(args.attrs?.keepDims);
  const view = x.dtype === 'float32' ? contiguousReduction({ shape: x.shape, axes, keepDims }) : undefined;
  if (view === undefined) return runStockKernel(tf.Sum, args);
  const backend = asWasmBackend(args.backend);
  const out = backend.makeOutput(view.outShape, 'float32');
  if (shapeSize(view.outShape) > 0) {
    koenbertWasm(backend).exports.sum_reduce(heapOffset(backend, x), heapOffset(backend, out), view.outer, view.reduce, view.inner);
  }
  return out;
}

export const sumConfig: tf.KernelConfig = { kernelName: tf.Sum, backendName: 'wasm', kernelFunc: sum as unknown as tf.KernelFunc };
