import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KoenbertError } from '../errors';
import { readSafetensors } from './read-safetensors';
import { readSafetensorsHeader } from './read-safetensors-header';
import { writeSafetensors } from './write-safetensors';
import type { TensorEntry, TensorRecord, TensorSource } from './tensor-record';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-safetensors-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

function randomRecords(): Map<string, TensorRecord> {
  const bytes = (n: number, seed: number) => randomBytes(n, seed).buffer as ArrayBuffer;
  return new Map<string, TensorRecord>([
    ['embeddings.word_embeddings.weight', { dtype: 'F32', shape: [7, 5], data: new Float32Array(bytes(140, 1)) }],
    ['layer.0.half', { dtype: 'F16', shape: [3, 3], data: new Uint16Array(bytes(18, 2)) }],
    ['layer.0.brain', { dtype: 'BF16', shape: [5], data: new Uint16Array(bytes(10, 3)) }],
    ['position_ids', { dtype: 'I64', shape: [1, 4], data: BigInt64Array.from([0n, 1n, -(2n ** 62n), 2n ** 62n]) }],
    ['token_type', { dtype: 'I32', shape: [3], data: Int32Array.from([0, -1, 2 ** 31 - 1]) }],
    ['bytes', { dtype: 'U8', shape: [2, 1], data: Uint8Array.from([0, 255]) }],
    ['mask', { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) }],
    ['empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
    ['scalar', { dtype: 'F32', shape: [], data: Float32Array.from([-0]) }],
  ]);
}

const bitsOf = (record: TensorRecord) => Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);

/** A safetensors file from a raw header object and data bytes, for malformed-input tests. */
async function craft(name: string, header: unknown, data: Uint8Array): Promise<string> {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const file = path.join(dir, name);
  await fs.writeFile(file, Buffer.concat([length, json, data]));
  return file;
}

async function failure(run: () => Promise<unknown>): Promise<KoenbertError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KoenbertError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return error as KoenbertError;
}

describe('writeSafetensors / readSafetensors', () => {
  it('round-trips every dtype bit-exactly with metadata, shapes and order kept', async () => {
    const file = path.join(dir, 'round-trip.safetensors');
    const tensors = randomRecords();
    const metadata = { format: 'pt', note: '한국어 ✓' };
    await writeSafetensors(file, tensors, metadata);
    const back = await readSafetensors(file);
    expect(back.metadata).toEqual(metadata);
    expect([...back.tensors.keys()]).toEqual([...tensors.keys()]);
    for (const [name, record] of tensors) {
      const read = back.tensors.get(name)!;
      expect({ name, dtype: read.dtype, shape: read.shape }).toEqual({ name, dtype: record.dtype, shape: record.shape });
      expect(read.data.constructor).toBe(record.data.constructor);
      expect(bitsOf(read).equals(bitsOf(record))).toBe(true);
    }
    expect(Object.is((back.tensors.get('scalar')!.data as Float32Array)[0], -0)).toBe(true);
    expect(await fs.readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp-/));
  });

  it('pads the header with spaces so the data section starts on an 8-byte boundary', async () => {
    for (const name of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh']) {
      const file = path.join(dir, `pad-${name}.safetensors`);
      await writeSafetensors(file, new Map([[name, { dtype: 'U8', shape: [1], data: Uint8Array.from([7]) } as TensorRecord]]));
      const bytes = await fs.readFile(file);
      const headerLength = Number(bytes.readBigUInt64LE(0));
      expect((8 + headerLength) % 8).toBe(0);
      const header = bytes.subarray(8, 8 + headerLength).toString('utf8');
      expect(header.trimEnd()).toBe(JSON.stringify({ [name]: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }));
      expect(bytes.length).toBe(8 + headerLength + 1);
    }
  });

  it('reads only the header, or only the named tensors, of a large (sparse) file', async () => {
    const file = path.join(dir, 'large.safetensors');
    const big = 600 * 1024 * 1024;
    const header = {
      __metadata__: { format: 'pt' },
      small: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      big: { dtype: 'U8', shape: [big], data_offsets: [8, 8 + big] },
    };
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    await fs.writeFile(file, Buffer.concat([length, json, Buffer.from(Float32Array.from([1.5, -2]).buffer)]));
    await fs.truncate(file, 8 + json.length + 8 + big); // sparse: no 600 MB written, none read
    const before = process.memoryUsage().arrayBuffers;
    const { entries, metadata, dataStart } = await readSafetensorsHeader(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect(dataStart).toBe(8 + json.length);
    expect(entries.get('big')).toEqual({ dtype: 'U8', shape: [big], offsets: [8, 8 + big] });
    const { tensors } = await readSafetensors(file, { names: ['small'] });
    expect(Array.from(tensors.get('small')!.data as Float32Array)).toEqual([1.5, -2]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    await fs.rm(file);
  });

  it('refuses records whose data does not match dtype or shape, leaving an existing file untouched', async () => {
    const file = path.join(dir, 'keep.safetensors');
    await writeSafetensors(file, new Map([['x', { dtype: 'F32', shape: [1], data: Float32Array.from([3]) } as TensorRecord]]));
    const before = await fs.readFile(file);
    const wrongLength = new Map([['layer.w', { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } as TensorRecord]]);
    const e1 = await failure(() => writeSafetensors(file, wrongLength));
    expect(e1.message).toBe(`${file}: tensor "layer.w": shape [2, 2] needs 4 elements, data has 3`);
    const wrongClass = new Map([['layer.h', { dtype: 'F16', shape: [2], data: new Float32Array(2) } as TensorRecord]]);
    const e2 = await failure(() => writeSafetensors(file, wrongClass));
    expect(e2.message).toContain('tensor "layer.h": dtype F16 needs a Uint16Array');
    expect((await fs.readFile(file)).equals(before)).toBe(true);
  });

  it('reads a TensorSource only when its turn comes, once, and writes the same bytes as the record would', async () => {
    const a: TensorRecord = { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const b: TensorRecord = { dtype: 'I32', shape: [4], data: Int32Array.from([7, -8, 9, 10]) };
    const events: string[] = [];
    const source = (name: string, record: TensorRecord): TensorSource => ({
      dtype: record.dtype,
      shape: record.shape,
      read: () => {
        events.push(`read ${name}`);
        return record.data;
      },
    });
    const plain = path.join(dir, 'plain.safetensors');
    const lazy = path.join(dir, 'lazy.safetensors');
    await writeSafetensors(plain, new Map([['a', a], ['b', b]]), { format: 'pt' });
    const entries = new Map<string, TensorEntry>([['a', source('a', a)], ['b', source('b', b)]]);
    const written = writeSafetensors(lazy, entries, { format: 'pt' });
    events.push('called');
    await written;
    // the header is written from dtype and shape; each tensor is read once, in order, during the write
    expect(events).toEqual(['called', 'read a', 'read b']);
    expect((await fs.readFile(lazy)).equals(await fs.readFile(plain))).toBe(true);
  });

  it('fails a source whose data does not match its dtype and shape, naming it, and leaves no file', async () => {
    const file = path.join(dir, 'bad-source.safetensors');
    const entries = new Map<string, TensorEntry>([
      ['ok', { dtype: 'F32', shape: [1], data: Float32Array.from([1]) }],
      ['short', { dtype: 'F32', shape: [3], read: () => new Float32Array(2) }],
    ]);
    const error = await failure(() => writeSafetensors(file, entries));
    expect(error.message).toBe(`${file}: tensor "short": shape [3] needs 3 elements, data has 2`);
    await expect(fs.access(file)).rejects.toThrow();
    expect((await fs.readdir(dir)).filter((name) => name.includes('bad-source'))).toEqual([]);
    const badShape = new Map<string, TensorEntry>([['neg', { dtype: 'F32', shape: [-1], read: () => new Float32Array(0) }]]);
    expect((await failure(() => writeSafetensors(file, badShape))).message).toBe(`${file}: tensor "neg": shape [-1] must be a list of non-negative integers`);
  });
});

describe('malformed safetensors files: one-line KoenbertError naming the file and the tensor', () => {
  const f32 = (n: number) => new Uint8Array(new Float32Array(n).buffer);

  it('a file truncated in the data section', async () => {
    const good = path.join(dir, 'good.safetensors');
    await writeSafetensors(good, randomRecords());
    const bytes = await fs.readFile(good);
    const file = path.join(dir, 'truncated.safetensors');
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 2));
    const error = await failure(() => readSafetensors(file));
    expect(error.code).toBe('SAFETENSORS_INVALID');
    expect(error.file).toBe(file);
    expect(error.message).toMatch(/^.*truncated\.safetensors: tensor "scalar": data_offsets \[\d+, \d+\] are out of range/);
  });

  it('a file truncated inside the header, and one shorter than the length field', async () => {
    const good = path.join(dir, 'good2.safetensors');
    await writeSafetensors(good, randomRecords());
    const file = path.join(dir, 'cut-header.safetensors');
    await fs.writeFile(file, (await fs.readFile(good)).subarray(0, 40));
    expect((await failure(() => readSafetensorsHeader(file))).message).toMatch(/cut-header\.safetensors: header length \d+ exceeds the 32 bytes after it/);
    await fs.writeFile(file, Buffer.from([1, 2, 3]));
    expect((await failure(() => readSafetensorsHeader(file))).message).toContain('truncated: 3 bytes');
  });

  it('header offsets out of range', async () => {
    const file = await craft('out-of-range.safetensors', { 'bert.pooler.dense.bias': { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, f32(4));
    expect((await failure(() => readSafetensors(file))).message).toBe(
      `${file}: tensor "bert.pooler.dense.bias": data_offsets [8, 24] are out of range: the data section has 16 bytes (truncated file?)`,
    );
  });

  it('overlapping tensors, a gap, and trailing bytes', async () => {
    const overlap = await craft(
      'overlap.safetensors',
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
      f32(3),
    );
    expect((await failure(() => readSafetensors(overlap))).message).toContain('tensor "b" (bytes 4..12) overlaps tensor "a"');
    const gap = await craft(
      'gap.safetensors',
      { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } },
      f32(3),
    );
    expect((await failure(() => readSafetensors(gap))).message).toContain('tensor "b" starts at byte 8, leaving a gap after tensor "a"');
    const trailing = await craft('trailing.safetensors', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2));
    expect((await failure(() => readSafetensors(trailing))).message).toContain('4 trailing bytes after the last tensor');
  });

  it('byte size that disagrees with dtype × shape, unknown dtypes, bad shapes and bad JSON', async () => {
    const size = await craft('size.safetensors', { w: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 8] } }, f32(2));
    expect((await failure(() => readSafetensors(size))).message).toContain('tensor "w": data_offsets [0, 8] hold 8 bytes but F16 × shape [2, 3] needs 12');
    const dtype = await craft('dtype.safetensors', { w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, f32(2));
    expect((await failure(() => readSafetensors(dtype))).message).toContain('tensor "w": dtype "F64" is not supported (supported: F32, F16, BF16, I64, I32, U8, BOOL)');
    const shape = await craft('shape.safetensors', { w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1));
    expect((await failure(() => readSafetensors(shape))).message).toContain('tensor "w": shape [-1] must be a list of non-negative integers');
    const metadata = await craft('metadata.safetensors', { __metadata__: { epoch: 3 } }, new Uint8Array(0));
    expect((await failure(() => readSafetensors(metadata))).message).toContain('__metadata__.epoch must be a string');
    const json = path.join(dir, 'json.safetensors');
    const body = Buffer.from('{"w": {"dtype": "F32",');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(body.length));
    await fs.writeFile(json, Buffer.concat([length, body]));
    expect((await failure(() => readSafetensors(json))).message).toMatch(/json\.safetensors: header is not valid JSON \(/);
  });

  it('a missing file and a tensor name that is not there', async () => {
    const missing = path.join(dir, 'nope.safetensors');
    expect((await failure(() => readSafetensors(missing))).message).toBe(`${missing}: file not found`);
    const file = await craft('one.safetensors', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1));
    expect((await failure(() => readSafetensors(file, { names: ['b'] }))).message).toBe(`${file}: no tensor named "b" (the file has 1)`);
  });
});
