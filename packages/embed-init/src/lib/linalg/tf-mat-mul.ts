import * as tf from '@tensorflow/tfjs';

/** A row-major float matrix handed to tfjs (float64 input is rounded to float32). */
export interface DenseInput {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

function toTensor(m: DenseInput): tf.Tensor2D {
  const data = m.data instanceof Float32Array ? m.data : Float32Array.from(m.data);
  return tf.tensor2d(data, [m.rows, m.cols]);
}

/**
 * op(A)·op(B) through tfjs (float32), row-major in and out. A transposed operand is materialised
 * first: on the wasm backend only a plain 2-D matMul reaches the fast XNNPACK kernel.
 */
export function tfMatMul(params: { a: DenseInput; b: DenseInput; transposeA?: boolean; transposeB?: boolean }): Float32Array {
  const product = tf.tidy(() => {
    let a: tf.Tensor2D = toTensor(params.a);
    let b: tf.Tensor2D = toTensor(params.b);
    if (params.transposeA) a = tf.transpose(a);
    if (params.transposeB) b = tf.transpose(b);
    return tf.matMul(a, b);
  });
  const out = product.dataSync() as Float32Array;
  product.dispose();
  return out;
}

/** Float32 → float64 copy. */
export function toFloat64(data: Float32Array): Float64Array {
  return Float64Array.from(data);
}
