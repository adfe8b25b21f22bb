import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSafetensors } from './read-safetensors';
import { writeSafetensors } from './write-safetensors';
import type { TensorRecord } from './tensor-record';

// python-written.* come from tools/golden/safetensors_golden.py (struct + numpy, no safetensors package);
// ts-written.safetensors is this package's output, checked by the same script's `verify` mode.
const fixtures = path.resolve(__dirname, '../../../test/fixtures');
const pythonFile = path.join(fixtures, 'python-written.safetensors');
const tsFile = path.join(fixtures, 'ts-written.safetensors');
const expected = JSON.parse(readFileSync(path.join(fixtures, 'python-written.json'), 'utf8')) as {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: Array<number | string> }>;
};

function jsonValues(record: TensorRecord): Array<number | string> {
  if (record.dtype === 'F32') return Array.from(new Uint32Array(record.data.buffer, record.data.byteOffset, record.data.length));
  if (record.dtype === 'I64') return Array.from(record.data as BigInt64Array, (v) => v.toString());
  return Array.from(record.data as Uint16Array | Int32Array | Uint8Array);
}

describe('safetensors interop with an independent Python implementation', () => {
  it('reads the Python-written file: names, dtypes, shapes, exact values, metadata', async () => {
    const { tensors, metadata } = await readSafetensors(pythonFile);
    expect(metadata).toEqual(expected.metadata);
    expect([...tensors.keys()]).toEqual(Object.keys(expected.tensors));
    for (const [name, want] of Object.entries(expected.tensors)) {
      const record = tensors.get(name)!;
      expect({ name, dtype: record.dtype, shape: record.shape, values: jsonValues(record) }).toEqual({ name, ...want });
    }
  });

  it('writes what the Python parser verified, byte for byte (UPDATE_GOLDEN=1 re-writes it)', async () => {
    const { tensors, metadata } = await readSafetensors(pythonFile);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-interop-'));
    const written = path.join(dir, 'ts-written.safetensors');
    await writeSafetensors(written, tensors, metadata);
    if (process.env.UPDATE_GOLDEN === '1') await fs.copyFile(written, tsFile);
    expect((await fs.readFile(written)).equals(await fs.readFile(tsFile))).toBe(true);
    await fs.rm(dir, { recursive: true });
  });
});
