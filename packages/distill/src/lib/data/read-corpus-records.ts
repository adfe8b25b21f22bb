import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { decodeUtf8Strict, KoenbertError, resolveModelDir, type HubOptions } from '@koenbert/tensor-utils';
import type { CorpusFile } from './corpus-files';

/** Default bound on one record: 1 MiB of UTF-8. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/**
 * One record of a corpus file and where it is: `at` is the byte offset where it starts (in the decompressed
 * text of a .gz file) or the parquet row; `next` is where the following record starts. A .txt line longer
 * than `maxLineBytes` comes as several pieces, each its own record with its own `at` (the first one marked
 * `overlong: 'split'`, so a count of them counts lines);
 * an overlong JSONL/TSV line or parquet value is skipped (`overlong: 'skipped'`, text '').
 */
export interface CorpusRecord {
  at: number;
  next: number;
  text: string;
  overlong?: 'split' | 'skipped';
}

interface RawLine {
  at: number;
  next: number;
  bytes?: Buffer;
  overlong?: 'split' | 'skipped';
}

/** Where to cut `data` at most `limit` bytes after `from` without splitting a UTF-8 character. */
function pieceEnd(data: Buffer, from: number, limit: number): number {
  let cut = from + limit;
  while (cut > from && (data[cut] & 0xc0) === 0x80) cut--;
  return cut === from ? from + limit : cut;
}

/**
 * Lines of a (gzipped) file from byte `start` (a line or piece start), as raw bytes; never holds more
 * than about `maxLineBytes` plus one read chunk, whatever the line lengths. Overlong lines are cut into
 * pieces (`split`) or skipped up to their newline.
 */
async function* readRawLines(params: { file: CorpusFile; start: number; maxLineBytes: number; split: boolean }): AsyncGenerator<RawLine> {
  const { file, start, maxLineBytes, split } = params;
  const raw = createReadStream(file.path, file.gzip ? {} : { start });
  const input = file.gzip ? raw.pipe(createGunzip()) : raw;
  if (file.gzip) raw.once('error', (error) => input.destroy(error));
  let base = file.gzip ? 0 : start; // offset of pending[0]
  let pending = Buffer.alloc(0);
  let skippingFrom = -1; // start of an overlong line being skipped
  let lineStart = true; // whether pos is where a line begins (only the first piece of a split line is flagged)
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      if (base < start) {
        // .gz: decompress and drop everything before the start position
        const drop = Math.min(start - base, data.length);
        data = data.subarray(drop);
        base += drop;
        if (data.length === 0) {
          pending = Buffer.alloc(0);
          continue;
        }
      }
      let pos = 0;
      for (;;) {
        const newline = data.indexOf(10, pos);
        if (skippingFrom >= 0) {
          if (newline < 0) {
            pos = data.length;
            break;
          }
          yield { at: skippingFrom, next: base + newline + 1, overlong: 'skipped' };
          skippingFrom = -1;
          pos = newline + 1;
          continue;
        }
        if (newline >= 0 && newline - pos <= maxLineBytes) {
          yield { at: base + pos, next: base + newline + 1, bytes: data.subarray(pos, newline) };
          pos = newline + 1;
          lineStart = true;
          continue;
        }
        if ((newline >= 0 ? newline : data.length) - pos > maxLineBytes) {
          if (split) {
            const end = pieceEnd(data, pos, maxLineBytes);
            yield { at: base + pos, next: base + end, bytes: data.subarray(pos, end), overlong: lineStart ? 'split' : undefined };
            pos = end;
            lineStart = false;
          } else {
            skippingFrom = base + pos;
          }
          continue;
        }
        break; // a line that may still fit: wait for more bytes
      }
      // keep only the unfinished line (copied, so the chunk it came from can be freed)
      pending = Buffer.from(data.subarray(pos));
      base += pos;
    }
  } catch (error) {
    if (error instanceof KoenbertError) throw error;
    throw new KoenbertError({ code: 'CORPUS_READ', file: file.path, message: `cannot be read (${(error as Error).message})`, cause: error });
  } finally {
    input.destroy();
    raw.destroy();
  }
  if (skippingFrom >= 0) yield { at: skippingFrom, next: base + pending.length, overlong: 'skipped' };
  else if (pending.length > 0) yield { at: base, next: base + pending.length, bytes: pending };
}

/** Text of one JSONL record (a string, or an object's field). */
function jsonlText(line: string, field: string, file: string, at: number): string {
  if (line.trim().length === 0) return '';
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    throw new KoenbertError({ code: 'CORPUS_JSONL', file, message: `the line at byte ${at} is not valid JSON`, cause: error });
  }
  if (typeof record === 'string') return record;
  const value = record !== null && typeof record === 'object' ? (record as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string') {
    throw new KoenbertError({ code: 'CORPUS_JSONL', file, message: `the line at byte ${at} has no string field "${field}" (choose it with ${file}#<field>)` });
  }
  return value;
}

function decodeLine(file: CorpusFile, line: RawLine): string {
  const text = decodeUtf8Strict({ bytes: line.bytes!, file: file.path, offset: line.at, what: file.gzip ? 'of the decompressed text' : undefined });
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/** The TSV column index: a number, or the header row's name for it (read from the file's first line). */
async function tsvColumn(file: CorpusFile, maxLineBytes: number): Promise<number> {
  if (file.field === undefined) return 0;
  if (/^\d+$/.test(file.field)) return Number(file.field);
  const lines = readRawLines({ file, start: 0, maxLineBytes, split: false });
  const first = await lines.next();
  await lines.return(undefined);
  const header = !first.done && first.value.bytes ? decodeLine(file, first.value) : '';
  const column = header.split('\t').map((name) => name.trim()).indexOf(file.field);
  if (column < 0) throw new KoenbertError({ code: 'CORPUS_TSV', file: file.path, message: `no column named "${file.field}" in the header row` });
  return column;
}

async function* readDelimited(params: { file: CorpusFile; start: number; maxLineBytes: number }): AsyncGenerator<CorpusRecord> {
  const { file, maxLineBytes } = params;
  const namedColumn = file.format === 'tsv' && file.field !== undefined && !/^\d+$/.test(file.field);
  const column = file.format === 'tsv' ? await tsvColumn(file, maxLineBytes) : 0;
  for await (const line of readRawLines({ file, start: params.start, maxLineBytes, split: file.format === 'text' })) {
    if (!line.bytes) {
      yield { at: line.at, next: line.next, text: '', overlong: line.overlong };
      continue;
    }
    const decoded = decodeLine(file, line);
    let text: string;
    if (file.format === 'jsonl') text = jsonlText(decoded, file.field ?? 'text', file.path, line.at);
    else if (file.format === 'tsv') text = namedColumn && line.at === 0 ? '' : (decoded.split('\t')[column] ?? ''); // the header row has no text
    else text = decoded;
    yield { at: line.at, next: line.next, text: text.trim(), overlong: line.overlong };
  }
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });
/** hyparquet decodes strings leniently (U+FFFD for bad bytes); corpora refuse malformed UTF-8 instead. */
const STRICT_PARSERS = { stringFromBytes: (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : strictDecoder.decode(bytes)) } as never;

async function* readParquet(params: { file: CorpusFile; start: number; hub?: HubOptions; maxLineBytes: number }): AsyncGenerator<CorpusRecord> {
  const { file } = params;
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
  const localPath = file.repo
    ? `${await resolveModelDir({ repoOrPath: file.repo, files: [file.path], repoType: 'dataset', ...params.hub })}/${file.path}`
    : file.path;
  const buffer = await asyncBufferFromFile(localPath).catch((error: Error) => {
    throw new KoenbertError({ code: 'CORPUS_READ', file: localPath, message: `cannot be read (${error.message})`, cause: error });
  });
  const metadata = await parquetMetadataAsync(buffer);
  const column = file.field ?? 'text';
  const names = metadata.schema.slice(1).map((element) => element.name);
  if (!names.includes(column)) {
    throw new KoenbertError({ code: 'CORPUS_PARQUET', file: localPath, message: `no column "${column}" (columns: ${names.join(', ')}; choose one with #<column>)` });
  }
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    // one row group in memory at a time; row groups before the start position are not read at all
    if (groupEnd > params.start) {
      const rowStart = Math.max(groupStart, params.start);
      let rows: Array<Record<string, unknown>>;
      try {
        rows = await parquetReadObjects({ file: buffer, metadata, columns: [column], rowStart, rowEnd: groupEnd, parsers: STRICT_PARSERS });
      } catch (error) {
        if ((error as { code?: string }).code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') throw error;
        // the same rule as for text files; inside a parquet page a byte offset means little, the rows do
        throw new KoenbertError({
          code: 'INVALID_UTF8',
          file: localPath,
          message: `invalid UTF-8 in column "${column}" among rows ${rowStart}..${groupEnd - 1} (the text must be UTF-8)`,
          cause: error,
        });
      }
      let row = rowStart;
      for (const value of rows.map((r) => r[column])) {
        const text = typeof value === 'string' ? value : '';
        // a character is at most 3 UTF-8 bytes per UTF-16 unit: skip values that may exceed the bound
        if (text.length * 3 > params.maxLineBytes && Buffer.byteLength(text, 'utf8') > params.maxLineBytes) {
          yield { at: row, next: row + 1, text: '', overlong: 'skipped' };
        } else yield { at: row, next: row + 1, text: text.trim() };
        row++;
      }
    }
    groupStart = groupEnd;
  }
}

/**
 * The records of a corpus file from position `from` on (a byte offset a record starts at, or a parquet
 * row), each with its position, so that a stream can save where it is and what its shuffle buffer holds
 * as numbers and read them again. Invalid UTF-8 is an error naming the file and the byte offset. Memory is
 * about `maxLineBytes` (or one parquet row group), whatever the file and line sizes.
 */
export function readPositionedRecords(params: { file: CorpusFile; from?: number; hub?: HubOptions; maxLineBytes?: number }): AsyncGenerator<CorpusRecord> {
  const start = params.from ?? 0;
  const maxLineBytes = params.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 16) {
    throw new KoenbertError({ code: 'CORPUS_LINE_LIMIT', message: `the line limit must be an integer ≥ 16 bytes, got ${maxLineBytes}` });
  }
  if (params.file.format === 'parquet') return readParquet({ file: params.file, start, hub: params.hub, maxLineBytes });
  return readDelimited({ file: params.file, start, maxLineBytes });
}

/**
 * The text of every record of a corpus file from record number `start` on: a line of .txt (or a piece of
 * an overlong one), a JSONL field, a TSV column, a parquet row. Empty and skipped records are yielded as ''
 * so that record numbers stay stable.
 */
export async function* readCorpusRecords(params: { file: CorpusFile; start?: number; hub?: HubOptions; maxLineBytes?: number }): AsyncGenerator<string> {
  let index = 0;
  const start = params.start ?? 0;
  if (params.file.format === 'parquet') {
    for await (const record of readPositionedRecords({ ...params, from: start })) yield record.text;
    return;
  }
  for await (const record of readPositionedRecords({ ...params, from: 0 })) if (index++ >= start) yield record.text;
}
