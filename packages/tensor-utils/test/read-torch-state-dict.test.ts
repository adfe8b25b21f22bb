import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KoenbertError } from '../src/lib/errors';
import { recordBytes, type TensorRecord } from '../src/lib/safetensors/tensor-record';
import { toFloat32 } from '../src/lib/safetensors/to-float32';
import { describeIfSharedData, SHARED_DATA } from '../../../tools/test-support/shared-data';
import { readTorchStateDict } from '../src/lib/torch-pickle/read-torch-state-dict';

// Golden files: tools/golden/torch_state_dict_golden.py (what torch 1.13's torch.load returns).
const fixtures = path.resolve(__dirname, 'fixtures');
const tinyBert = path.join(SHARED_DATA, 'models/tiny-random-bert/pytorch_model.bin');

interface Golden {
  dtype: string;
  shape: number[];
  sha256: string;
  sum: number | string;
  first: Array<number | string>;
  contiguous: boolean;
}
const loadGolden = (name: string) => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as Record<string, Golden>;

/** JSON has no Infinity/NaN: the golden script writes them as 'inf', '-inf', 'nan'. */
const jsonNumber = (value: number | string): number =>
  typeof value === 'number' ? value : ({ inf: Infinity, '-inf': -Infinity, nan: NaN } as Record<string, number>)[value];

function expectMatchesTorch(tensors: Map<string, TensorRecord>, golden: Record<string, Golden>): void {
  expect([...tensors.keys()]).toEqual(Object.keys(golden));
  for (const [name, want] of Object.entries(golden)) {
    const record = tensors.get(name)!;
    const sha256 = createHash('sha256').update(recordBytes(record)).digest('hex');
    expect({ name, dtype: record.dtype, shape: record.shape, sha256 }).toEqual({ name, dtype: want.dtype, shape: want.shape, sha256: want.sha256 });
    const values = toFloat32(record);
    expect(Array.from(values.subarray(0, want.first.length))).toEqual(want.first.map(jsonNumber));
    let sum = 0;
    for (const v of values) sum += v;
    const wantSum = jsonNumber(want.sum);
    if (Number.isFinite(wantSum)) expect(Math.abs(sum - wantSum)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(wantSum)));
    else expect(sum).toBe(wantSum);
  }
}

async function failure(file: string): Promise<KoenbertError> {
  const error = await readTorchStateDict(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KoenbertError);
  expect((error as Error).message).not.toContain('\n');
  expect((error as KoenbertError).file).toBe(file);
  return error as KoenbertError;
}

describeIfSharedData('models/tiny-random-bert/pytorch_model.bin', 'readTorchStateDict on tiny-random-bert', () => {
  it('returns every tensor exactly as torch.load does (names, order, dtype, shape, bytes)', async () => {
    const tensors = await readTorchStateDict(tinyBert);
    expect(tensors.size).toBe(90);
    expectMatchesTorch(tensors, loadGolden('tiny-random-bert-golden.json'));
  });

  it('refuses a truncated archive with a one-line error', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-torch-'));
    const bytes = await fs.readFile(tinyBert);
    const truncated = path.join(dir, 'truncated.bin');
    await fs.writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await failure(truncated);
    expect(error.code).toBe('ZIP_INVALID');
    expect(error.message).toBe(`${truncated}: truncated or not a zip archive: no end-of-central-directory record`);
    // a flipped byte inside a storage is caught by the CRC
    const corrupt = Buffer.from(bytes);
    corrupt[20000] ^= 0xff;
    const corruptFile = path.join(dir, 'corrupt.bin');
    await fs.writeFile(corruptFile, corrupt);
    expect((await failure(corruptFile)).message).toMatch(/entry pytorch_model\/data\/\d+: CRC-32 mismatch \(corrupt file\)$/);
    await fs.rm(dir, { recursive: true });
  });
});

describe('readTorchStateDict on crafted checkpoints', () => {
  const views = loadGolden('torch-views.json');

  it('materialises transposed, sliced, stepped, permuted and expanded views, tied and shared storages, every dtype', async () => {
    const tensors = await readTorchStateDict(path.join(fixtures, 'torch-views.pt'));
    expectMatchesTorch(tensors, views);
    expect(Object.values(views).filter((g) => !g.contiguous).length).toBeGreaterThanOrEqual(5);
    // tied names get independent copies
    expect(tensors.get('tied.a')!.data).not.toBe(tensors.get('weight')!.data);
  });

  it('reads the same archive re-zipped with deflate', async () => {
    expectMatchesTorch(await readTorchStateDict(path.join(fixtures, 'torch-views-deflate.pt')), views);
  });

  it('refuses pickles that name a forbidden global, executing nothing', async () => {
    const osSystem = path.join(fixtures, 'forbidden-os-system.pt');
    const error = await failure(osSystem);
    expect(error.code).toBe('PICKLE_FORBIDDEN_GLOBAL');
    expect(error.message).toBe(
      `${osSystem}: forbidden pickle global os.system in archive/data.pkl: a state dict needs only torch tensors, storages and dicts (nothing was executed)`,
    );
    const evalFile = path.join(fixtures, 'forbidden-builtins-eval.pt');
    expect((await failure(evalFile)).message).toContain('forbidden pickle global builtins.eval');
  });

  it('refuses the legacy (non-zip) format and files that are no checkpoint at all', async () => {
    const legacy = path.join(fixtures, 'torch-legacy.pt');
    const error = await failure(legacy);
    expect(error.code).toBe('TORCH_LEGACY_FORMAT');
    expect(error.message).toMatch(/torch-legacy\.pt: legacy \(pre-1\.6, non-zip\) PyTorch checkpoint is not supported/);
    const json = path.join(fixtures, 'torch-views.json');
    expect((await failure(json)).message).toBe(`${json}: not a PyTorch checkpoint (no zip signature)`);
    const missing = path.join(fixtures, 'nope.bin');
    expect((await failure(missing)).message).toBe(`${missing}: file not found`);
  });
});
