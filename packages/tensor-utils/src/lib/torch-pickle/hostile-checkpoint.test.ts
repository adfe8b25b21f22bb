import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { KoenbertError } from '../errors';
import { readTorchStateDict, TORCH_LIMITS } from './read-torch-state-dict';

/**
 * pytorch_model.bin files built byte by byte in the test (a zip writer and a pickle writer of the
 * ops torch.save uses), honest ones and hostile ones: views outside their storage, zero strides over
 * huge shapes, absurd element counts, zip entries that inflate past their declared size.
 */
interface TensorSpec {
  name: string;
  key: string;
  numel: number | bigint;
  offset: number;
  shape: Array<number | bigint>;
  stride: Array<number | bigint>;
}

function pickleInt(value: number | bigint): Buffer {
  const big = BigInt(value);
  if (big >= -(2n ** 31n) && big < 2n ** 31n) {
    const out = Buffer.alloc(5);
    out[0] = 0x4a; // BININT
    out.writeInt32LE(Number(big), 1);
    return out;
  }
  const bytes: number[] = [];
  let rest = big;
  for (let i = 0; i < 9; i++) {
    bytes.push(Number(rest & 0xffn));
    rest >>= 8n;
  }
  return Buffer.from([0x8a, bytes.length, ...bytes]); // LONG1
}
const unicode = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(5);
  out[0] = 0x58; // BINUNICODE
  out.writeUInt32LE(bytes.length, 1);
  return Buffer.concat([out, bytes]);
};
const global = (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`, 'latin1');
const MARK = Buffer.from('(');
const TUPLE = Buffer.from('t');
const REDUCE = Buffer.from('R');

/** {name: _rebuild_tensor_v2(persistent storage, offset, shape, stride, False, OrderedDict())} in protocol 2. */
function statePickle(tensors: TensorSpec[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80, 0x02]), Buffer.from('}'), MARK];
  for (const t of tensors) {
    parts.push(unicode(t.name), global('torch._utils', '_rebuild_tensor_v2'), MARK);
    parts.push(MARK, unicode('storage'), global('torch', 'FloatStorage'), unicode(t.key), unicode('cpu'), pickleInt(t.numel), TUPLE, Buffer.from('Q'));
    parts.push(pickleInt(t.offset), MARK, ...t.shape.map(pickleInt), TUPLE, MARK, ...t.stride.map(pickleInt), TUPLE);
    parts.push(Buffer.from([0x89]), global('collections', 'OrderedDict'), Buffer.from(')'), REDUCE, TUPLE, REDUCE);
  }
  parts.push(Buffer.from('u.'));
  return Buffer.concat(parts);
}

interface ZipSpec {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Lie about the uncompressed size in the directory. */
  declaredSize?: number;
}

function zip(entries: ZipSpec[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const body = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const size = entry.declaredSize ?? entry.data.length;
    const crc = crc32(entry.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    central.push(header, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const floats = (n: number) => Buffer.from(Float32Array.from({ length: n }, (_, i) => i).buffer);

function checkpoint(tensors: TensorSpec[], storages: Record<string, Buffer>, extra: Partial<ZipSpec> = {}): Buffer {
  return zip([
    { name: 'archive/data.pkl', data: statePickle(tensors) },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data, ...extra })),
  ]);
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-hostile-torch-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function write(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return file;
}

async function failure(file: string, code: string): Promise<string> {
  const error = await readTorchStateDict(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KoenbertError);
  expect((error as KoenbertError).code).toBe(code);
  expect((error as KoenbertError).file).toBe(file);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

const tensor = (over: Partial<TensorSpec>): TensorSpec => ({ name: 'w', key: '0', numel: 6, offset: 0, shape: [2, 3], stride: [3, 1], ...over });

describe('readTorchStateDict on hostile checkpoints (bounded memory)', () => {
  it('reads the honest hand-built checkpoint (stored and deflate), transposed view included', async () => {
    const honest = [tensor({}), tensor({ name: 'wT', shape: [3, 2], stride: [1, 3] })];
    for (const deflate of [false, true]) {
      const file = await write(`honest-${deflate}.bin`, checkpoint(honest, { 0: floats(6) }, { deflate }));
      const tensors = await readTorchStateDict(file);
      expect(Array.from(tensors.get('w')!.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Array.from(tensors.get('wT')!.data as Float32Array)).toEqual([0, 3, 1, 4, 2, 5]);
    }
  });

  it.each([
    ['an offset past the storage', { offset: 1 }],
    ['a stride that reads past the storage', { stride: [4, 1] }],
    ['an offset far beyond the storage', { offset: 2 ** 40, shape: [1], stride: [1] }],
    ['strides whose extent overflows safe integers', { shape: [2, 2], stride: [2 ** 52, 2 ** 52], numel: 6 }],
  ])('refuses a view with %s, naming the tensor', async (_, over) => {
    const file = await write('outside.bin', checkpoint([tensor(over)], { 0: floats(6) }));
    expect(await failure(file, 'TORCH_INVALID')).toMatch(/^.*outside\.bin: tensor "w": view \(offset \d+, size \[.*\], stride \[.*\]\) reaches element \d+ of a 6-element storage$/);
  });

  it('refuses a zero-stride view of a huge shape instead of materialising it', async () => {
    // 100k × 100k floats through stride 0 over a one-element storage: 40 GB if materialised
    const file = await write('zero-stride.bin', checkpoint([tensor({ numel: 1, shape: [100000, 100000], stride: [0, 0] })], { 0: floats(1) }));
    expect(await failure(file, 'TORCH_TOO_LARGE')).toContain(`tensor "w": view (offset 0, size [100000, 100000], stride [0, 0]) of F32 exceeds ${TORCH_LIMITS.tensorBytes} bytes`);
    // under the tensor limit, expansions share one budget for the file: 5 × 16 MiB of copies from 4 bytes is refused
    const many = Array.from({ length: 5 }, (_, i) => tensor({ name: `e${i}`, numel: 1, shape: [2048, 2048], stride: [0, 0] }));
    const small = await write('zero-stride-many.bin', checkpoint(many, { 0: floats(1) }));
    expect(await failure(small, 'TORCH_TOO_LARGE')).toContain(
      `tensor "e4": view (offset 0, size [2048, 2048], stride [0, 0]) has 4194304 elements but its storage only 1: zero or overlapping strides would materialise more than ${TORCH_LIMITS.expandedBytes} bytes`,
    );
    // a small expanded buffer (position_ids-like) is still read
    const fine = await write('expanded-ok.bin', checkpoint([tensor({ numel: 3, shape: [2, 3], stride: [0, 1] })], { 0: floats(3) }));
    expect(Array.from((await readTorchStateDict(fine)).get('w')!.data as Float32Array)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('refuses element counts beyond the tensor limit, even when shapes overflow', async () => {
    const huge = await write('huge-shape.bin', checkpoint([tensor({ numel: 6, shape: [2n ** 40n, 2n ** 40n], stride: [1, 1] })], { 0: floats(6) }));
    expect(await failure(huge, 'TORCH_TOO_LARGE')).toContain('tensor "w"');
    const wide = await write('wide.bin', checkpoint([tensor({ numel: 6, shape: [2 ** 29 + 1], stride: [1] })], { 0: floats(6) }));
    expect(await failure(wide, 'TORCH_TOO_LARGE')).toContain(`exceeds ${TORCH_LIMITS.tensorBytes} bytes`);
  });

  it('refuses a storage that declares an absurd size before allocating it', async () => {
    const file = await write('absurd-storage.bin', checkpoint([tensor({ numel: 2 ** 40 })], { 0: floats(6) }));
    expect(await failure(file, 'TORCH_TOO_LARGE')).toContain(`tensor "w": storage archive/data/0 declares ${2 ** 40} × F32`);
    // a plausible declared size that disagrees with the entry is refused before reading too
    const mismatch = await write('mismatch.bin', checkpoint([tensor({ numel: 600 })], { 0: floats(6) }));
    expect(await failure(mismatch, 'TORCH_INVALID')).toContain('storage archive/data/0 has 24 bytes, 600 × F32 needs 2400');
  });

  it('refuses a zip entry that inflates beyond its declared size (a bomb) without inflating it all', async () => {
    // 64 MiB of zeros deflates to ~64 KB; the directory claims 24 bytes
    const bomb = await write(
      'bomb.bin',
      zip([
        { name: 'archive/data.pkl', data: statePickle([tensor({})]) },
        { name: 'archive/data/0', data: Buffer.alloc(64 << 20), deflate: true, declaredSize: 24 },
      ]),
    );
    const before = process.memoryUsage().rss;
    expect(await failure(bomb, 'ZIP_INVALID')).toBe(`${bomb}: entry archive/data/0 inflates beyond its declared 24 bytes`);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 << 20);
  });

  it('refuses declared sizes deflate cannot reach, and stored entries with two sizes', async () => {
    const claim = await write(
      'claim.bin',
      zip([
        { name: 'archive/data.pkl', data: statePickle([tensor({ numel: 2 ** 28 })]) },
        { name: 'archive/data/0', data: floats(6), deflate: true, declaredSize: 2 ** 30 },
      ]),
    );
    expect(await failure(claim, 'ZIP_INVALID')).toMatch(/entry archive\/data\/0 declares 1073741824 bytes from \d+ compressed: more than deflate can expand/);
    const stored = await write(
      'stored.bin',
      zip([
        { name: 'archive/data.pkl', data: statePickle([tensor({})]) },
        { name: 'archive/data/0', data: floats(6), declaredSize: 4096 },
      ]),
    );
    expect(await failure(stored, 'ZIP_INVALID')).toContain('entry archive/data/0: stored entry with two different sizes (24 and 4096)');
  });

  it('refuses a pickle entry larger than any state dict needs', async () => {
    const file = await write(
      'big-pickle.bin',
      // incompressible bytes, so the declared size stays within what deflate could expand to
      zip([{ name: 'archive/data.pkl', data: randomBytes(300_000), deflate: true, declaredSize: TORCH_LIMITS.pickleBytes + 1 }]),
    );
    expect(await failure(file, 'TORCH_TOO_LARGE')).toContain(`archive/data.pkl declares ${TORCH_LIMITS.pickleBytes + 1} bytes (limit ${TORCH_LIMITS.pickleBytes})`);
  });
});
