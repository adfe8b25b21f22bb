import * as tf from '@tensorflow/tfjs';
import { shapeSize } from '../safetensors/tensor-record';
import { batchMatMulInto } from './batch-mat-mul';
import { gemmOnHeap } from './koenbert-wasm/gemm-on-heap';
import { wasmGemmEngine } from './koenbert-wasm/wasm-gemm-engine';
import { matMulGeometry, matMulOnHeap } from './mat-mul-on-heap';
import { asWasmBackend, heapOffset, int32Bytes, wasmExports, withHeapViews, type KernelArgs, type WasmBackendInternals } from './wasm-internals';

/** tfjs-backend-wasm's FusableActivation enum (cc/fusable_activations.h). */
const ACTIVATION_CODES: Record<string, number> = { linear: 0, relu: 1, relu6: 2, prelu: 3, leakyrelu: 4, sigmoid: 5, elu: 6 };

/** The kernels that apply each activation on its own, for the cases the C++ call cannot fuse. */
const ACTIVATION_KERNELS: Record<string, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  prelu: tf.Prelu,
  leakyrelu: tf.LeakyRelu,
  sigmoid: tf.Sigmoid,
  elu: tf.Elu,
};

/**
 * _FusedMatMul (matmul + bias + activation, what tf.fused.matMul and tfjs-layers' Dense run) for the wasm backend.
 * The stock kernel has the same slow path as BatchMatMul, and its slow path adds a rank-1 bias wrongly (it indexes
 * the bias by the position in the whole output row-major, clamped). Here: with no bias or a bias of n values and an
 * activation other than prelu, koenbert's GEMM adds the bias as it stores (the activation then runs as its own
 * kernel), or with KOENBERT_WASM_GEMM=xnnpack each 2-D piece is one fused XNNPACK call (bias and clamp inside);
 * otherwise the product is computed as BatchMatMul and the bias and activation are applied by their own kernels.
 */
export function fusedMatMul(args: KernelArgs<'a' | 'b', 'bias' | 'preluActivationWeights'>): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  const activation = String(args.attrs?.activation ?? 'linear');
  const leakyreluAlpha = Number(args.attrs?.leakyreluAlpha ?? 0);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`_FusedMatMul on wasm supports float32 only, got ${a.dtype} and ${b.dtype}`);
  }
  const activationCode = ACTIVATION_CODES[activation];
  if (activationCode === undefined) throw new Error(`_FusedMatMul on wasm: unsupported activation ${activation}`);
  const backend = asWasmBackend(args.backend);
  const geometry = matMulGeometry({ aShape: a.shape, bShape: b.shape, transposeA, transposeB });
  const biasFits = bias == null || (bias.dtype === 'float32' && shapeSize(bias.shape) === geometry.n && bias.shape.every((size, i) => i === bias.shape.length - 1 || size === 1));
  if (biasFits && activation !== 'prelu' && geometry.k > 0) {
    if (wasmGemmEngine() === 'koenbert') {
      const out = backend.makeOutput(geometry.outShape, 'float32');
      if (shapeSize(geometry.outShape) > 0) gemmOnHeap({ backend, a, b, transposeA, transposeB, out, geometry, bias });
      return applyActivation({ backend, result: out, activation, preluActivationWeights, leakyreluAlpha });
    }
    return fusedOnHeap({ backend, a, b, bias, transposeA, transposeB, activationCode, leakyreluAlpha });
  }
  return unfused({ backend, a, b, bias, transposeA, transposeB, activation, preluActivationWeights, leakyreluAlpha });
}

function fusedOnHeap(params: {
  backend: WasmBackendInternals;
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  bias?: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  activationCode: number;
  leakyreluAlpha: number;
}): tf.TensorInfo {
  const { backend, a, b, bias, transposeA, transposeB, activationCode, leakyreluAlpha } = params;
  const geometry = matMulGeometry({ aShape: a.shape, bShape: b.shape, transposeA, transposeB });
  const out = backend.makeOutput(geometry.outShape, 'float32');
  if (shapeSize(geometry.outShape) === 0) return out;
  const { fusedMatMul: cFusedMatMul } = wasmExports(backend);
  const { n } = geometry;
  // The bias also gets a fresh id for this call only, so that no cached XNNPACK operator outlives it.
  const biasSpans = bias == null ? [] : [{ byteOffset: heapOffset(backend, bias), size: n }];
  withHeapViews(backend, biasSpans, ([biasId = 0]) =>
    matMulOnHeap({
      backend,
      a,
      b,
      transposeA,
      transposeB,
      out,
      geometry,
      call2d: (ids, { rows, k, cols }) =>
        cFusedMatMul(ids.a, int32Bytes([1, rows, k]), 3, ids.b, int32Bytes([1, k, cols]), 3, false, false, activationCode, biasId, 0, leakyreluAlpha, ids.out),
    }),
  );
  return out;
}

function unfused(params: {
  backend: WasmBackendInternals;
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  bias?: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  activation: string;
  preluActivationWeights?: tf.TensorInfo;
  leakyreluAlpha: number;
}): tf.TensorInfo {
  const { backend, bias } = params;
  let result = batchMatMulInto(params);
  if (bias != null) result = replaceBy({ backend, result, kernelName: tf.Add, inputs: { a: result, b: bias } });
  return applyActivation({ ...params, result });
}

/** Runs a stock kernel on `result` and frees `result`. */
function replaceBy(params: { backend: WasmBackendInternals; result: tf.TensorInfo; kernelName: string; inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { backend, result, kernelName, inputs, attrs = {} } = params;
  const next = tf.getKernel(kernelName, 'wasm').kernelFunc({ inputs, backend: backend as object, attrs }) as tf.TensorInfo;
  backend.disposeData(result.dataId);
  return next;
}

/** `result` with the activation applied by its own kernel (linear: `result` itself). */
function applyActivation(params: {
  backend: WasmBackendInternals;
  result: tf.TensorInfo;
  activation: string;
  preluActivationWeights?: tf.TensorInfo;
  leakyreluAlpha: number;
}): tf.TensorInfo {
  const { backend, activation, preluActivationWeights, leakyreluAlpha } = params;
  let result = params.result;
  const run = (kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): void => {
    result = replaceBy({ backend, result, kernelName, inputs, attrs });
  };
  const kernelName = ACTIVATION_KERNELS[activation];
  if (activation === 'prelu') {
    if (preluActivationWeights == null) throw new Error('_FusedMatMul: prelu activation needs preluActivationWeights');
    run(kernelName, { x: result, alpha: preluActivationWeights });
  } else if (activation === 'leakyrelu') {
    run(kernelName, { x: result }, { alpha: leakyreluAlpha });
  } else if (kernelName !== undefined) {
    run(kernelName, { x: result });
  }
  return result;
}

export const fusedMatMulConfig: tf.KernelConfig = {
  kernelName: tf._FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMul as unknown as tf.KernelFunc,
};
