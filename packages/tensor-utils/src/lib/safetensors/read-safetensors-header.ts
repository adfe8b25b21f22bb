import { promises as fs } from 'node:fs';
import { KoenbertError } from '../errors';
import { DTYPES, dtypeByteSize, isDType, shapeSize, type DType } from './tensor-record';

export interface SafetensorsEntry {
  dtype: DType;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data section. */
  offsets: [number, number];
}

export interface SafetensorsHeader {
  /** In the header's key order. */
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Absolute file position of the data section (8 + header length). */
  dataStart: number;
  fileSize: number;
}

/** The reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

function invalid(file: string, message: string, cause?: unknown): KoenbertError {
  return new KoenbertError({ code: 'SAFETENSORS_INVALID', file, message, cause });
}

/**
 * Reads and validates the header of a .safetensors file without reading the tensor data:
 * 8-byte little-endian header length (sane against the file size), a UTF-8 JSON object,
 * known dtypes, byte sizes equal to dtype size × product(shape), offsets inside the data section,
 * and tensors laid end to end with no gap, no overlap and no trailing bytes (as the format requires).
 */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const handle = await openForReading(file);
  try {
    return await readHeaderFromHandle(file, handle);
  } finally {
    await handle.close();
  }
}

export async function openForReading(file: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KoenbertError({
      code: code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      file,
      message: code === 'ENOENT' ? 'file not found' : `cannot open (${code ?? String(error)})`,
      cause: error,
    });
  }
}

/** Reads exactly `length` bytes at `position` into `target`, or fails naming the file. */
export async function readExactly(params: {
  file: string;
  handle: fs.FileHandle;
  target: Uint8Array;
  position: number;
  what: string;
}): Promise<void> {
  const { file, handle, target, position, what } = params;
  let done = 0;
  while (done < target.byteLength) {
    const chunk = Math.min(target.byteLength - done, 1 << 30);
    const { bytesRead } = await handle.read(target, done, chunk, position + done);
    if (bytesRead === 0) {
      throw new KoenbertError({
        code: 'FILE_TRUNCATED',
        file,
        message: `truncated: ${what} needs bytes ${position}..${position + target.byteLength} but the file ends at ${position + done}`,
      });
    }
    done += bytesRead;
  }
}

export async function readHeaderFromHandle(file: string, handle: fs.FileHandle): Promise<SafetensorsHeader> {
  const { size: fileSize } = await handle.stat();
  if (fileSize < 8) {
    throw invalid(file, `truncated: ${fileSize} bytes, but a safetensors file starts with an 8-byte header length`);
  }
  const lengthBytes = new Uint8Array(8);
  await readExactly({ file, handle, target: lengthBytes, position: 0, what: 'the header length' });
  const headerLength = Buffer.from(lengthBytes).readBigUInt64LE(0);
  if (headerLength > BigInt(fileSize - 8)) {
    throw invalid(file, `header length ${headerLength} exceeds the ${fileSize - 8} bytes after it: truncated, or not a safetensors file`);
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw invalid(file, `header length ${headerLength} is above the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const headerBytes = new Uint8Array(Number(headerLength));
  await readExactly({ file, handle, target: headerBytes, position: 8, what: 'the header' });
  return parseSafetensorsHeader({ file, headerBytes, fileSize });
}

/** Validates a header already read from the file (the bytes after the 8-byte length). */
export function parseSafetensorsHeader(params: { file: string; headerBytes: Uint8Array; fileSize: number }): SafetensorsHeader {
  const { file, headerBytes, fileSize } = params;
  const dataStart = 8 + headerBytes.byteLength;
  const dataSize = fileSize - dataStart;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (error) {
    throw invalid(file, 'header is not valid UTF-8', error);
  }
  if (!text.startsWith('{')) throw invalid(file, 'header does not start with "{": not a safetensors file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `header is not valid JSON (${(error as Error).message})`, error);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(file, 'header is not a JSON object');

  let metadata: Record<string, string> = {};
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(file, value);
      continue;
    }
    entries.set(name, parseEntry({ file, name, value, dataSize }));
  }
  checkLayout({ file, entries, dataSize });
  return { entries, metadata, dataStart, fileSize };
}

function parseMetadata(file: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(file, '__metadata__ must be an object of string values');
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw invalid(file, `__metadata__.${key} must be a string, got ${JSON.stringify(item)}`);
  }
  return { ...(value as Record<string, string>) };
}

function parseEntry(params: { file: string; name: string; value: unknown; dataSize: number }): SafetensorsEntry {
  const { file, name, value, dataSize } = params;
  const where = `tensor "${name}"`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(file, `${where}: entry must be an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isDType(dtype)) {
    throw invalid(file, `${where}: dtype ${JSON.stringify(dtype)} is not supported (supported: ${DTYPES.join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw invalid(file, `${where}: shape ${JSON.stringify(shape)} must be a list of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw invalid(file, `${where}: data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 <= begin <= end`);
  }
  const [begin, end] = offsets as [number, number];
  const needed = dtypeByteSize(dtype) * shapeSize(shape);
  if (end - begin !== needed) {
    throw invalid(
      file,
      `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} × shape [${shape.join(', ')}] needs ${needed}`,
    );
  }
  if (end > dataSize) {
    throw invalid(
      file,
      `${where}: data_offsets [${begin}, ${end}] are out of range: the data section has ${dataSize} bytes (truncated file?)`,
    );
  }
  return { dtype, shape: [...shape], offsets: [begin, end] };
}

function checkLayout(params: { file: string; entries: Map<string, SafetensorsEntry>; dataSize: number }): void {
  const { file, entries, dataSize } = params;
  const sorted = [...entries].sort(([, a], [, b]) => a.offsets[0] - b.offsets[0] || a.offsets[1] - b.offsets[1]);
  let previousName: string | undefined;
  let position = 0;
  for (const [name, { offsets }] of sorted) {
    const [begin] = offsets;
    if (begin < position) {
      throw invalid(file, `tensor "${name}" (bytes ${begin}..${offsets[1]}) overlaps tensor "${previousName}" (ends at ${position})`);
    }
    if (begin > position) {
      const after = previousName === undefined ? 'the start of the data section' : `tensor "${previousName}"`;
      throw invalid(file, `tensor "${name}" starts at byte ${begin}, leaving a gap after ${after} (at ${position})`);
    }
    position = offsets[1];
    previousName = name;
  }
  if (position !== dataSize) {
    throw invalid(file, `${dataSize - position} trailing bytes after the last tensor: data section is ${dataSize} bytes, tensors cover ${position}`);
  }
}
