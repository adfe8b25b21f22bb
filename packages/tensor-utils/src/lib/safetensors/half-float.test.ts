import path from 'node:path';
import { readFileSync } from 'node:fs';
import { bf16ToFloat32, f16BitsToNumber, f16ToFloat32, float32ToBf16, float32ToF16 } from './half-float';
import { fromFloat32 } from './from-float32';
import { toFloat32 } from './to-float32';

const fixtures = path.resolve(__dirname, '../../../test/fixtures');
// written by tools/golden/safetensors_golden.py (numpy float16 and torch bfloat16 rounding)
const golden = JSON.parse(readFileSync(path.join(fixtures, 'python-written.json'), 'utf8')) as {
  sourceF32Bits: number[];
  tensors: Record<string, { values: number[] }>;
  decodedF32Bits: Record<string, number[]>;
};

const allPatterns = Uint16Array.from({ length: 65536 }, (_, i) => i);
const isNanF16 = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
const isNanBf16 = (bits: number) => (bits & 0x7f80) === 0x7f80 && (bits & 0x7f) !== 0;
const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
const source = new Float32Array(Uint32Array.from(golden.sourceF32Bits).buffer);

describe('F16 and BF16 conversion', () => {
  it('decodes F16 closed-form values: zeros, subnormals, largest finite, infinities, NaN', () => {
    expect(Object.is(f16BitsToNumber(0x8000), -0)).toBe(true);
    expect(f16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(f16BitsToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(f16BitsToNumber(0x0400)).toBe(2 ** -14);
    expect(f16BitsToNumber(0x3c00)).toBe(1);
    expect(f16BitsToNumber(0xc100)).toBe(-2.5);
    expect(f16BitsToNumber(0x7bff)).toBe(65504);
    expect(f16BitsToNumber(0x7c00)).toBe(Infinity);
    expect(f16BitsToNumber(0xfc00)).toBe(-Infinity);
    expect(f16BitsToNumber(0x7e00)).toBeNaN();
  });

  it('round-trips every one of the 65536 F16 and BF16 bit patterns (NaN stays NaN)', () => {
    const f16Back = float32ToF16(f16ToFloat32(allPatterns));
    const bf16Back = float32ToBf16(bf16ToFloat32(allPatterns));
    for (let bits = 0; bits < 65536; bits++) {
      if (isNanF16(bits)) expect(isNanF16(f16Back[bits])).toBe(true);
      else if (f16Back[bits] !== bits) throw new Error(`F16 0x${bits.toString(16)} came back as 0x${f16Back[bits].toString(16)}`);
      if (isNanBf16(bits)) expect(isNanBf16(bf16Back[bits])).toBe(true);
      else if (bf16Back[bits] !== bits) throw new Error(`BF16 0x${bits.toString(16)} came back as 0x${bf16Back[bits].toString(16)}`);
    }
  });

  it('narrows float32 exactly as numpy (F16) and torch (BF16) do, ties to even included', () => {
    const f16 = fromFloat32({ data: source, shape: [source.length], dtype: 'F16' }).data as Uint16Array;
    expect(Array.from(f16)).toEqual(golden.tensors['source.f16'].values);
    const bf16 = fromFloat32({ data: source, shape: [source.length], dtype: 'BF16' }).data as Uint16Array;
    golden.tensors['source.bf16'].values.forEach((expected, i) => {
      // torch's vectorised path writes NaN as 0xffff, the scalar path as 0x7fc0: any NaN is right
      if (isNanBf16(expected)) expect(isNanBf16(bf16[i])).toBe(true);
      else expect(bf16[i]).toBe(expected);
    });
  });

  it('widens F16 and BF16 to the same float32 bits as numpy', () => {
    for (const [name, dtype] of [['source.f16', 'F16'], ['source.bf16', 'BF16']] as const) {
      const decoded = toFloat32({ dtype, shape: [source.length], data: Uint16Array.from(golden.tensors[name].values) });
      const expected = golden.decodedF32Bits[name];
      bitsOf(decoded).forEach((bits, i) => {
        if (Number.isNaN(decoded[i])) expect(new Float32Array(new Uint32Array([expected[i]]).buffer)[0]).toBeNaN();
        else expect(bits).toBe(expected[i]);
      });
    }
  });

  it('picks the nearest F16 for random float32 values (brute-force neighbour check)', () => {
    let seed = 12345;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const values = Float32Array.from({ length: 20000 }, () => (next() - 0.5) * 2 ** Math.floor(next() * 40 - 28));
    const bits = float32ToF16(values);
    const worse: number[] = [];
    values.forEach((x, i) => {
      const error = Math.abs(f16BitsToNumber(bits[i]) - x);
      for (const neighbour of [bits[i] - 1, bits[i] + 1]) {
        if ((neighbour & 0x7fff) >= 0x7c00 || neighbour < 0 || (neighbour & 0x8000) !== (bits[i] & 0x8000)) continue;
        if (Math.abs(f16BitsToNumber(neighbour) - x) < error) worse.push(x);
      }
    });
    expect(worse).toEqual([]);
  });

  it('converts integer and boolean records to float32', () => {
    expect(Array.from(toFloat32({ dtype: 'I64', shape: [3], data: BigInt64Array.from([-3n, 0n, 2n ** 40n]) }))).toEqual([-3, 0, 2 ** 40]);
    expect(Array.from(toFloat32({ dtype: 'I32', shape: [2], data: Int32Array.from([-7, 9]) }))).toEqual([-7, 9]);
    expect(Array.from(toFloat32({ dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) }))).toEqual([1, 0]);
    const f32 = Float32Array.from([1.5]);
    expect(toFloat32({ dtype: 'F32', shape: [1], data: f32 })).toBe(f32);
  });
});
