import { allocateTensorData, shapeSize, type TensorData } from '../safetensors/tensor-record';

/** C-order strides of a shape, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis];
  }
  return strides;
}

/** Whether a strided view reads its elements in storage order without gaps (size-1 axes may have any stride). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  const expected = contiguousStrides(shape);
  return shape.every((size, axis) => size <= 1 || stride[axis] === expected[axis]);
}

/** One past the largest storage index the view touches (storageOffset when it is empty). */
export function viewExtent(params: { shape: readonly number[]; stride: readonly number[]; storageOffset: number }): number {
  const { shape, stride, storageOffset } = params;
  if (shapeSize(shape) === 0) return storageOffset;
  return storageOffset + shape.reduce((sum, size, axis) => sum + (size - 1) * stride[axis], 0) + 1;
}

/**
 * Copies a strided view of `storage` into a fresh row-major array (torch's `.contiguous()`).
 * The caller has checked that viewExtent fits in the storage.
 */
export function materializeStrided(params: {
  storage: TensorData;
  dtype: Parameters<typeof allocateTensorData>[0];
  shape: readonly number[];
  stride: readonly number[];
  storageOffset: number;
}): TensorData {
  const { storage, dtype, shape, stride, storageOffset } = params;
  const count = shapeSize(shape);
  if (isContiguous(shape, stride)) return storage.slice(storageOffset, storageOffset + count) as TensorData;
  const out = allocateTensorData(dtype, count) as unknown as { [index: number]: number | bigint };
  const source = storage as unknown as { [index: number]: number | bigint };
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let from = storageOffset;
  for (let i = 0; i < count; i++) {
    out[i] = source[from];
    // odometer over the axes, last axis fastest
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      from += stride[axis];
      if (index[axis] < shape[axis]) break;
      from -= stride[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return out as unknown as TensorData;
}
