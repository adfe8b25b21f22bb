import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KoenbertError } from '../errors';
import {
  dtypeByteSize,
  isDType,
  isLittleEndianHost,
  isTensorSource,
  recordBytes,
  recordProblem,
  shapeSize,
  type TensorEntry,
  type TensorRecord,
} from './tensor-record';

/**
 * Writes tensors (in the map's order) and string metadata as a .safetensors file.
 * The JSON header is padded with spaces so the data section starts on an 8-byte boundary,
 * tensor bytes are streamed one tensor at a time into a temp sibling, fsynced, then renamed over
 * `file` — readers never see a half-written file. A `TensorSource` is read when its turn comes; data that does not
 * match its dtype and shape fails the write (and leaves no file).
 */
export async function writeSafetensors(
  file: string,
  tensors: Map<string, TensorEntry>,
  metadata?: Record<string, string>,
): Promise<void> {
  if (!isLittleEndianHost()) {
    throw new KoenbertError({ code: 'HOST_BIG_ENDIAN', file, message: 'writing safetensors needs a little-endian host' });
  }
  const header = encodeHeader({ file, tensors, metadata });
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await fs.open(temp, 'w');
  try {
    await writeAll(handle, header);
    for (const [name, entry] of tensors) await writeAll(handle, recordBytes(materialize({ file, name, entry })));
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await fs.rename(temp, file);
}

async function writeAll(handle: fs.FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.byteLength - done, 1 << 30));
    done += bytesWritten;
  }
}

/** A source's data, checked against its dtype and shape; a record as it is. */
function materialize(params: { file: string; name: string; entry: TensorEntry }): TensorRecord {
  const { file, name, entry } = params;
  if (!isTensorSource(entry)) return entry;
  const record = { dtype: entry.dtype, shape: entry.shape, data: entry.read() };
  const problem = recordProblem(record);
  if (problem) throw new KoenbertError({ code: 'SAFETENSORS_INVALID', file, message: `tensor "${name}": ${problem}` });
  return record;
}

/** Bytes of an entry's data: a record's own length, a source's from its dtype and shape (checked when it is read). */
function entryByteLength(entry: TensorEntry): number {
  return isTensorSource(entry) ? shapeSize(entry.shape) * dtypeByteSize(entry.dtype) : entry.data.byteLength;
}

/** Why an entry cannot be written (a record: see recordProblem; a source: its dtype and shape), or undefined. */
function entryProblem(entry: TensorEntry): string | undefined {
  if (!isTensorSource(entry)) return recordProblem(entry);
  if (!isDType(entry.dtype)) return recordProblem({ ...entry, data: new Uint8Array(0) });
  if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return `shape ${JSON.stringify(entry.shape)} must be a list of non-negative integers`;
  }
  return undefined;
}

/** The 8-byte length plus the space-padded JSON header (total length a multiple of 8). */
export function encodeHeader(params: {
  file: string;
  tensors: Map<string, TensorEntry>;
  metadata?: Record<string, string>;
}): Uint8Array {
  const { file, tensors, metadata } = params;
  const json: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new KoenbertError({ code: 'SAFETENSORS_INVALID', file, message: `metadata "${key}" must be a string, got ${typeof value}` });
      }
    }
    json.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, record] of tensors) {
    if (name === '__metadata__') {
      throw new KoenbertError({ code: 'SAFETENSORS_INVALID', file, message: 'a tensor cannot be named "__metadata__"' });
    }
    const problem = entryProblem(record);
    if (problem) throw new KoenbertError({ code: 'SAFETENSORS_INVALID', file, message: `tensor "${name}": ${problem}` });
    const end = offset + entryByteLength(record);
    json[name] = { dtype: record.dtype, shape: record.shape, data_offsets: [offset, end] };
    offset = end;
  }
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  const padded = Math.ceil((8 + body.byteLength) / 8) * 8 - 8;
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  body.copy(out, 8);
  return out;
}
