import type { promises as fs } from 'node:fs';
import { KoenbertError } from '../errors';
import { openForReading, readExactly } from '../safetensors/read-safetensors-header';
import { allocateTensorData, dtypeByteSize, isLittleEndianHost, shapeSize, type TensorData, type TensorRecord } from '../safetensors/tensor-record';
import { isContiguous, materializeStrided, viewExtent } from './materialize-strided';
import { findTorchGlobal, isTensorRef, torchStorageFromPid, type TensorRef } from './torch-globals';
import { unpickle } from './unpickle';
import { readZipDirectory, readZipEntry, type ZipEntry } from './zip-archive';

const ZIP_MAGIC = 0x04034b50;

/**
 * Memory bounds, far above any BERT (BERT-large's word embeddings are 125 MB, a 250k-token vocab
 * at hidden 1024 is 1 GB): one tensor at most 2 GiB, one storage at most 4 GiB, the pickle at most
 * 256 MiB. Views with more elements than their storage (zero or overlapping strides, e.g. an
 * expanded `position_ids` buffer) are materialised only up to 64 MiB over the whole file, so a tiny
 * storage cannot blow up into gigabytes.
 */
export const TORCH_LIMITS = { tensorBytes: 2 ** 31, storageBytes: 2 ** 32, pickleBytes: 2 ** 28, expandedBytes: 2 ** 26 };

/**
 * Reads a PyTorch state dict saved by torch.save (zip format, torch ≥ 1.6: `pytorch_model.bin`)
 * without Python and without executing anything: the zip directory is read by hand, `data.pkl`
 * goes through a restricted unpickler that knows only the globals a state dict needs, and each
 * storage is read once from `data/{key}`. Strided views (transposes, slices, shared storages)
 * come back as contiguous row-major records. The legacy pre-1.6 format is refused with a message.
 */
export async function readTorchStateDict(file: string): Promise<Map<string, TensorRecord>> {
  if (!isLittleEndianHost()) {
    throw new KoenbertError({ code: 'HOST_BIG_ENDIAN', file, message: 'reading PyTorch checkpoints needs a little-endian host' });
  }
  const handle = await openForReading(file);
  try {
    await checkMagic(file, handle);
    const entries = await readZipDirectory({ file, handle });
    const pickleEntry = findPickle(file, entries);
    const prefix = pickleEntry.name.slice(0, -'data.pkl'.length);
    await checkByteOrder({ file, handle, entries, prefix });
    if (pickleEntry.size > TORCH_LIMITS.pickleBytes) {
      throw new KoenbertError({ code: 'TORCH_TOO_LARGE', file, message: `${pickleEntry.name} declares ${pickleEntry.size} bytes (limit ${TORCH_LIMITS.pickleBytes}): not a state dict` });
    }
    const pickleBytes = await readZipEntry({ file, handle, entry: pickleEntry });
    const root = unpickle({
      bytes: pickleBytes,
      file,
      entryName: pickleEntry.name,
      findGlobal: findTorchGlobal,
      persistentLoad: torchStorageFromPid,
    });
    const refs = collectTensors(file, root);
    return await loadTensors({ file, handle, entries, prefix, refs });
  } finally {
    await handle.close();
  }
}

async function checkMagic(file: string, handle: fs.FileHandle): Promise<void> {
  const { size } = await handle.stat();
  const head = new Uint8Array(Math.min(4, size));
  await readExactly({ file, handle, target: head, position: 0, what: 'the file signature' });
  if (head.length === 4 && Buffer.from(head).readUInt32LE(0) === ZIP_MAGIC) return;
  if (head[0] === 0x80) {
    throw new KoenbertError({
      code: 'TORCH_LEGACY_FORMAT',
      file,
      message:
        'legacy (pre-1.6, non-zip) PyTorch checkpoint is not supported: re-save it in Python with torch.save(torch.load(f), f) or convert it to safetensors',
    });
  }
  throw new KoenbertError({ code: 'TORCH_NOT_A_CHECKPOINT', file, message: 'not a PyTorch checkpoint (no zip signature)' });
}

function findPickle(file: string, entries: Map<string, ZipEntry>): ZipEntry {
  const pickles = [...entries.values()].filter((entry) => /^[^/]+\/data\.pkl$/.test(entry.name));
  if (pickles.length !== 1) {
    throw new KoenbertError({
      code: 'TORCH_NOT_A_CHECKPOINT',
      file,
      message: `expected one {archive}/data.pkl in the zip, found ${pickles.length === 0 ? 'none' : pickles.map((p) => p.name).join(', ')}`,
    });
  }
  return pickles[0];
}

async function checkByteOrder(params: { file: string; handle: fs.FileHandle; entries: Map<string, ZipEntry>; prefix: string }): Promise<void> {
  const entry = params.entries.get(`${params.prefix}byteorder`);
  if (!entry) return; // torch < 2.1 writes none: little-endian
  const order = Buffer.from(await readZipEntry({ file: params.file, handle: params.handle, entry })).toString('latin1');
  if (order !== 'little') {
    throw new KoenbertError({ code: 'TORCH_UNSUPPORTED', file: params.file, message: `storages are ${order}-endian; only little-endian is supported` });
  }
}

function collectTensors(file: string, root: unknown): Array<[string, TensorRef]> {
  if (!(root instanceof Map)) {
    throw new KoenbertError({ code: 'TORCH_NOT_A_STATE_DICT', file, message: 'the pickle does not hold a dict of tensors' });
  }
  const refs: Array<[string, TensorRef]> = [];
  for (const [key, value] of root) {
    if (typeof key === 'string' && isTensorRef(value)) refs.push([key, value]);
  }
  if (refs.length === 0) {
    throw new KoenbertError({
      code: 'TORCH_NOT_A_STATE_DICT',
      file,
      message: 'no tensors at the top level of the pickle (a training checkpoint rather than a state dict?)',
    });
  }
  return refs;
}

/** A view must stay inside its storage, hold no more elements than it, and stay under the tensor limit. */
function checkView(params: { file: string; name: string; ref: TensorRef; numel: number; budget: { expandedBytes: number } }): void {
  const { file, name, ref, numel, budget } = params;
  const { dtype } = ref.storage;
  const view = `view (offset ${ref.storageOffset}, size [${ref.shape.join(', ')}], stride [${ref.stride.join(', ')}])`;
  const refuse = (code: string, message: string) => new KoenbertError({ code, file, message: `tensor "${name}": ${message}` });
  // element count with an early exit, so huge shapes never overflow into unsafe integers
  let count = 1;
  for (const size of ref.shape) {
    count *= size;
    if (count * dtypeByteSize(dtype) > TORCH_LIMITS.tensorBytes) {
      throw refuse('TORCH_TOO_LARGE', `${view} of ${dtype} exceeds ${TORCH_LIMITS.tensorBytes} bytes, more than any BERT tensor`);
    }
  }
  if (count > numel) {
    budget.expandedBytes += count * dtypeByteSize(dtype);
    if (budget.expandedBytes > TORCH_LIMITS.expandedBytes) {
      throw refuse(
        'TORCH_TOO_LARGE',
        `${view} has ${count} elements but its storage only ${numel}: zero or overlapping strides would materialise more than ${TORCH_LIMITS.expandedBytes} bytes of copies in this file`,
      );
    }
  }
  const extent = viewExtent(ref);
  if (!Number.isSafeInteger(extent) || extent > numel) {
    throw refuse('TORCH_INVALID', `${view} reaches element ${extent} of a ${numel}-element storage`);
  }
}

async function loadTensors(params: {
  file: string;
  handle: fs.FileHandle;
  entries: Map<string, ZipEntry>;
  prefix: string;
  refs: Array<[string, TensorRef]>;
}): Promise<Map<string, TensorRecord>> {
  const { file, handle, entries, prefix, refs } = params;
  const byStorage = new Map<string, Array<[string, TensorRef]>>();
  for (const item of refs) {
    const group = byStorage.get(item[1].storage.key) ?? [];
    group.push(item);
    byStorage.set(item[1].storage.key, group);
  }
  const records = new Map<string, TensorRecord>();
  const budget = { expandedBytes: 0 };
  // one storage in memory at a time (plus the tensors already built)
  for (const [key, group] of byStorage) {
    const { dtype, numel } = group[0][1].storage;
    const entryName = `${prefix}data/${key}`;
    if (numel * dtypeByteSize(dtype) > TORCH_LIMITS.storageBytes) {
      throw new KoenbertError({
        code: 'TORCH_TOO_LARGE',
        file,
        message: `tensor "${group[0][0]}": storage ${entryName} declares ${numel} × ${dtype} (${numel * dtypeByteSize(dtype)} bytes, limit ${TORCH_LIMITS.storageBytes})`,
      });
    }
    // before the storage is read: every view of it must fit in it and within the tensor limit
    for (const [name, ref] of group) checkView({ file, name, ref, numel, budget });
    const entry = entries.get(entryName);
    if (!entry) throw new KoenbertError({ code: 'TORCH_INVALID', file, message: `tensor "${group[0][0]}": storage ${entryName} is missing from the zip` });
    if (entry.size !== numel * dtypeByteSize(dtype)) {
      throw new KoenbertError({
        code: 'TORCH_INVALID',
        file,
        message: `tensor "${group[0][0]}": storage ${entryName} has ${entry.size} bytes, ${numel} × ${dtype} needs ${numel * dtypeByteSize(dtype)}`,
      });
    }
    const storage = allocateTensorData(dtype, numel);
    await readZipEntry({ file, handle, entry, into: new Uint8Array(storage.buffer) });
    for (const [name, ref] of group) {
      if (ref.storage.dtype !== dtype) {
        throw new KoenbertError({ code: 'TORCH_INVALID', file, message: `tensor "${name}": storage ${key} is used with two dtypes` });
      }
      const ownsWholeStorage =
        group.length === 1 && ref.storageOffset === 0 && shapeSize(ref.shape) === numel && isContiguous(ref.shape, ref.stride);
      const data: TensorData = ownsWholeStorage ? storage : materializeStrided({ storage, dtype, shape: ref.shape, stride: ref.stride, storageOffset: ref.storageOffset });
      records.set(name, { dtype, shape: ref.shape, data });
    }
  }
  // the pickle's order, not the storages'
  return new Map(refs.map(([name]) => [name, records.get(name)!]));
}
