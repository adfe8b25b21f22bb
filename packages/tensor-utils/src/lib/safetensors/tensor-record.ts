/** Element types a checkpoint tensor may have (safetensors' names). */
export type DType = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U8' | 'BOOL';

export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

/**
 * A tensor on disk, independent of tfjs: row-major (C order), little-endian.
 * F16 and BF16 keep their raw 16-bit patterns in a Uint16Array; BOOL is one byte per element (0 or 1).
 */
export interface TensorRecord {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/**
 * A tensor to write whose data is read only when its turn comes (`writeSafetensors` holds one tensor's data at a
 * time): a checkpoint of weights and optimizer moments then never has a second copy of all of them in memory.
 */
export interface TensorSource {
  dtype: DType;
  shape: number[];
  read(): TensorData;
}

export type TensorEntry = TensorRecord | TensorSource;

export function isTensorSource(entry: TensorEntry): entry is TensorSource {
  return typeof (entry as TensorSource).read === 'function';
}

export const DTYPES: readonly DType[] = ['F32', 'F16', 'BF16', 'I64', 'I32', 'U8', 'BOOL'];

const BYTES_PER_ELEMENT: Record<DType, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1 };

type TypedArrayClass =
  | Float32ArrayConstructor
  | Uint16ArrayConstructor
  | BigInt64ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor;

const ARRAY_CLASS: Record<DType, TypedArrayClass> = {
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

export function dtypeByteSize(dtype: DType): number {
  return BYTES_PER_ELEMENT[dtype];
}

/** Number of elements of a shape; [] (a scalar) has one. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** The raw bytes of a record's data, without copying. */
export function recordBytes(record: TensorRecord): Uint8Array {
  return new Uint8Array(record.data.buffer, record.data.byteOffset, record.data.byteLength);
}

/** Why a record is inconsistent (data class vs dtype, length vs shape), or undefined when it is fine. */
export function recordProblem(record: TensorRecord): string | undefined {
  if (!isDType(record.dtype)) return `unknown dtype ${JSON.stringify(record.dtype)} (allowed: ${DTYPES.join(', ')})`;
  if (!Array.isArray(record.shape) || !record.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return `shape ${JSON.stringify(record.shape)} must be a list of non-negative integers`;
  }
  const ArrayClass = ARRAY_CLASS[record.dtype];
  if (!(record.data instanceof ArrayClass)) {
    return `dtype ${record.dtype} needs a ${ArrayClass.name}, got ${record.data?.constructor?.name ?? typeof record.data}`;
  }
  const expected = shapeSize(record.shape);
  if (record.data.length !== expected) {
    return `shape [${record.shape.join(', ')}] needs ${expected} elements, data has ${record.data.length}`;
  }
  return undefined;
}

/** A zero-filled typed array of the dtype's class with `length` elements. */
export function allocateTensorData(dtype: DType, length: number): TensorData {
  return new ARRAY_CLASS[dtype](length);
}

/** Checkpoint formats store little-endian data and typed arrays use the host's order: they must agree. */
export function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
