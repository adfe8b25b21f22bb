import { KoenbertError } from '../errors';
import { bf16ToFloat32, f16ToFloat32 } from './half-float';
import type { TensorRecord } from './tensor-record';

/**
 * The record's values as float32: F16/BF16 decoded exactly (subnormals, ±Inf, NaN included),
 * integers converted (I64 beyond ±2^24 loses precision as float32 does), BOOL → 0/1.
 * An F32 record's own array is returned without a copy.
 */
export function toFloat32(record: TensorRecord): Float32Array {
  const { dtype, data } = record;
  switch (dtype) {
    case 'F32':
      return data as Float32Array;
    case 'F16':
      return f16ToFloat32(data as Uint16Array);
    case 'BF16':
      return bf16ToFloat32(data as Uint16Array);
    case 'I64': {
      const values = data as BigInt64Array;
      const out = new Float32Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
      return out;
    }
    case 'I32':
    case 'U8':
    case 'BOOL':
      return Float32Array.from(data as Int32Array | Uint8Array);
    default:
      throw new KoenbertError({ code: 'DTYPE_UNSUPPORTED', message: `toFloat32: unknown dtype ${JSON.stringify(dtype)}` });
  }
}
