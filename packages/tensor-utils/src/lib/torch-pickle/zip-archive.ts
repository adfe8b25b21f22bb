import type { promises as fs } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { KoenbertError } from '../errors';
import { readExactly } from '../safetensors/read-safetensors-header';

export interface ZipEntry {
  name: string;
  /** 0 = stored (what torch.save writes), 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** Deflate cannot expand by more than about 1032:1; a directory claiming more is lying. */
const MAX_DEFLATE_RATIO = 1032;

function zipError(file: string, message: string, cause?: unknown): KoenbertError {
  return new KoenbertError({ code: 'ZIP_INVALID', file, message, cause });
}

async function readAt(file: string, handle: fs.FileHandle, position: number, length: number, what: string): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  await readExactly({ file, handle, target: buffer, position, what });
  return buffer;
}

function safeNumber(file: string, value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw zipError(file, `${what} ${value} is too large`);
  return Number(value);
}

/**
 * Reads the central directory of a zip archive (ZIP64 included) through a file handle:
 * only the directory is read, entries are read one at a time with readZipEntry.
 */
export async function readZipDirectory(params: { file: string; handle: fs.FileHandle }): Promise<Map<string, ZipEntry>> {
  const { file, handle } = params;
  const { size: fileSize } = await handle.stat();
  const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tailStart = fileSize - tailLength;
  const tail = await readAt(file, handle, tailStart, tailLength, 'the end of the archive');
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw zipError(file, 'truncated or not a zip archive: no end-of-central-directory record');

  let entryCount = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  const eocdPosition = tailStart + eocd;
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorPosition = eocdPosition - 20;
    const locator = locatorPosition >= 0 ? await readAt(file, handle, locatorPosition, 20, 'the ZIP64 locator') : undefined;
    if (!locator || locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) throw zipError(file, 'ZIP64 archive without a ZIP64 locator');
    const zip64Position = safeNumber(file, locator.readBigUInt64LE(8), 'ZIP64 record offset');
    if (zip64Position + 56 > fileSize) throw zipError(file, 'ZIP64 end-of-central-directory record is out of range');
    const zip64 = await readAt(file, handle, zip64Position, 56, 'the ZIP64 end-of-central-directory record');
    if (zip64.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw zipError(file, 'bad ZIP64 end-of-central-directory record');
    entryCount = safeNumber(file, zip64.readBigUInt64LE(32), 'entry count');
    directorySize = safeNumber(file, zip64.readBigUInt64LE(40), 'central directory size');
    directoryOffset = safeNumber(file, zip64.readBigUInt64LE(48), 'central directory offset');
  }
  if (directoryOffset + directorySize > eocdPosition) {
    throw zipError(file, `central directory (${directoryOffset}+${directorySize}) runs past its end record at ${eocdPosition}: truncated or corrupt`);
  }
  const directory = await readAt(file, handle, directoryOffset, directorySize, 'the central directory');
  const entries = new Map<string, ZipEntry>();
  let position = 0;
  for (let index = 0; index < entryCount; index++) {
    if (position + 46 > directory.length || directory.readUInt32LE(position) !== CENTRAL_SIGNATURE) {
      throw zipError(file, `central directory entry ${index} is corrupt`);
    }
    const flags = directory.readUInt16LE(position + 8);
    const method = directory.readUInt16LE(position + 10);
    const crc = directory.readUInt32LE(position + 16);
    let compressedSize = directory.readUInt32LE(position + 20);
    let size = directory.readUInt32LE(position + 24);
    const nameLength = directory.readUInt16LE(position + 28);
    const extraLength = directory.readUInt16LE(position + 30);
    const commentLength = directory.readUInt16LE(position + 32);
    let localHeaderOffset = directory.readUInt32LE(position + 42);
    const nameEnd = position + 46 + nameLength;
    if (nameEnd + extraLength + commentLength > directory.length) throw zipError(file, `central directory entry ${index} is corrupt`);
    const name = directory.toString('utf8', position + 46, nameEnd);
    const extra = directory.subarray(nameEnd, nameEnd + extraLength);
    // ZIP64 extended information: only the fields whose 32-bit slot is saturated are present, in this order
    for (let at = 0; at + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(at);
      const length = extra.readUInt16LE(at + 2);
      if (id === 0x0001) {
        let field = at + 4;
        const next = (what: string) => {
          if (field + 8 > at + 4 + length) throw zipError(file, `entry ${name}: short ZIP64 extra field`);
          const value = safeNumber(file, extra.readBigUInt64LE(field), what);
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = next('size');
        if (compressedSize === 0xffffffff) compressedSize = next('compressed size');
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next('offset');
      }
      at += 4 + length;
    }
    if (flags & 0x1) throw zipError(file, `entry ${name} is encrypted`);
    if (method === 0 && size !== compressedSize) throw zipError(file, `entry ${name}: stored entry with two different sizes (${compressedSize} and ${size})`);
    if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw zipError(file, `entry ${name} declares ${size} bytes from ${compressedSize} compressed: more than deflate can expand (a zip bomb?)`);
    }
    if (localHeaderOffset + 30 + compressedSize > directoryOffset) {
      throw zipError(file, `entry ${name} (offset ${localHeaderOffset}, ${compressedSize} bytes) runs past the central directory`);
    }
    entries.set(name, { name, method, compressedSize, size, crc, localHeaderOffset });
    position = nameEnd + extraLength + commentLength;
  }
  return entries;
}

/**
 * The uncompressed bytes of one entry (stored or deflate), checked against its CRC-32.
 * `into` (exactly entry.size bytes, e.g. a view of an aligned typed array) receives them without an extra copy.
 */
export async function readZipEntry(params: { file: string; handle: fs.FileHandle; entry: ZipEntry; into?: Uint8Array }): Promise<Uint8Array> {
  const { file, handle, entry } = params;
  if (params.into && params.into.byteLength !== entry.size) {
    throw zipError(file, `entry ${entry.name}: ${entry.size} bytes, caller expected ${params.into.byteLength}`);
  }
  const local = await readAt(file, handle, entry.localHeaderOffset, 30, `the header of ${entry.name}`);
  if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw zipError(file, `entry ${entry.name}: bad local header`);
  const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw zipError(file, `entry ${entry.name}: stored entry with two different sizes`);
    data = params.into ?? new Uint8Array(entry.size);
    await readExactly({ file, handle, target: data, position: dataStart, what: `entry ${entry.name}` });
  } else if (entry.method === 8) {
    const raw = await readAt(file, handle, dataStart, entry.compressedSize, `entry ${entry.name}`);
    try {
      // never inflate past the size the central directory declares (plus one byte to notice the overrun)
      data = inflateRawSync(raw, { maxOutputLength: entry.size + 1 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw zipError(file, `entry ${entry.name} inflates beyond its declared ${entry.size} bytes`, error);
      }
      throw zipError(file, `entry ${entry.name}: deflate data is corrupt`, error);
    }
    if (data.byteLength !== entry.size) throw zipError(file, `entry ${entry.name}: ${data.byteLength} bytes, directory says ${entry.size}`);
    if (params.into) {
      params.into.set(data);
      data = params.into;
    }
  } else {
    throw zipError(file, `entry ${entry.name}: compression method ${entry.method} is not supported (only stored and deflate)`);
  }
  if (crc32(data) >>> 0 !== entry.crc >>> 0) throw zipError(file, `entry ${entry.name}: CRC-32 mismatch (corrupt file)`);
  return data;
}
