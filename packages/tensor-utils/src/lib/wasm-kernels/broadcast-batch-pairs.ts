/**
 * For a batched matmul whose operands have batch shapes `aBatch` and `bBatch` (numpy broadcasting, aligned on the
 * right; a dimension of 1 repeats), the flat batch index into a and into b for each flat index of the output batch
 * `outBatch` (row-major). Shapes are assumed compatible (tfjs checks that before the kernel runs).
 */
export function broadcastBatchPairs(params: { outBatch: number[]; aBatch: number[]; bBatch: number[] }): { a: Int32Array; b: Int32Array } {
  const { outBatch, aBatch, bBatch } = params;
  const total = outBatch.reduce((product, size) => product * size, 1);
  const aStrides = broadcastStrides(aBatch, outBatch);
  const bStrides = broadcastStrides(bBatch, outBatch);
  const a = new Int32Array(total);
  const b = new Int32Array(total);
  const position = new Array<number>(outBatch.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let aIndex = 0;
    let bIndex = 0;
    for (let axis = 0; axis < outBatch.length; axis++) {
      aIndex += position[axis] * aStrides[axis];
      bIndex += position[axis] * bStrides[axis];
    }
    a[flat] = aIndex;
    b[flat] = bIndex;
    for (let axis = outBatch.length - 1; axis >= 0; axis--) {
      if (++position[axis] < outBatch[axis]) break;
      position[axis] = 0;
    }
  }
  return { a, b };
}

/** Stride of `shape` along each axis of `outShape` (right-aligned), 0 where the operand broadcasts. */
function broadcastStrides(shape: number[], outShape: number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = 1; i <= shape.length; i++) {
    const size = shape[shape.length - i];
    if (size !== 1) strides[outShape.length - i] = stride;
    stride *= size;
  }
  return strides;
}

/** True when pairs are (0,0), (1,0), (2,0), …: b is shared and a's batches follow the output's. */
export function isSharedB(pairs: { a: Int32Array; b: Int32Array }): boolean {
  for (let i = 0; i < pairs.a.length; i++) if (pairs.a[i] !== i || pairs.b[i] !== 0) return false;
  return true;
}
