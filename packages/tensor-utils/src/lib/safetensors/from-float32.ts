import { KoenbertError } from '../errors';
import { float32ToBf16, float32ToF16 } from './half-float';
import { shapeSize, type TensorRecord } from './tensor-record';

/**
 * A float record of the given dtype from float32 values (row-major). F16/BF16 round to nearest,
 * ties to even, as numpy and torch do; F32 keeps `data` itself (no copy).
 */
export function fromFloat32(params: { data: Float32Array; shape: number[]; dtype?: 'F32' | 'F16' | 'BF16' }): TensorRecord {
  const { data, shape, dtype = 'F32' } = params;
  if (data.length !== shapeSize(shape)) {
    throw new KoenbertError({
      code: 'SHAPE_MISMATCH',
      message: `fromFloat32: shape [${shape.join(', ')}] needs ${shapeSize(shape)} values, got ${data.length}`,
    });
  }
  if (dtype === 'F32') return { dtype, shape: [...shape], data };
  if (dtype === 'F16') return { dtype, shape: [...shape], data: float32ToF16(data) };
  if (dtype === 'BF16') return { dtype, shape: [...shape], data: float32ToBf16(data) };
  throw new KoenbertError({ code: 'DTYPE_UNSUPPORTED', message: `fromFloat32: dtype must be F32, F16 or BF16, got ${String(dtype)}` });
}
