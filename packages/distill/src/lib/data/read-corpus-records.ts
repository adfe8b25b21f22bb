import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { KoenbertError, resolveModelDir, type HubOptions } from '@koenbert/tensor-utils';
import type { CorpusFile } from './corpus-files';

/** Text of one JSONL record (a string, or an object's field). */
function jsonlText(line: string, field: string, file: string, index: number): string {
  if (line.trim().length === 0) return '';
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    throw new KoenbertError({ code: 'CORPUS_JSONL', file, message: `line ${index + 1} is not valid JSON`, cause: error });
  }
  if (typeof record === 'string') return record;
  const value = record !== null && typeof record === 'object' ? (record as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string') {
    throw new KoenbertError({ code: 'CORPUS_JSONL', file, message: `line ${index + 1} has no string field "${field}" (choose it with ${file}#<field>)` });
  }
  return value;
}

/** Lines of a (gzipped) text file, split as they stream in; CR before LF is dropped. */
async function* readLines(file: CorpusFile): AsyncGenerator<string> {
  const raw = createReadStream(file.path);
  const input = file.gzip ? raw.pipe(createGunzip()) : raw;
  if (file.gzip) raw.once('error', (error) => input.destroy(error));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of input) {
      const parts = (rest + decoder.write(chunk as Buffer)).split('\n');
      rest = parts.pop()!;
      for (const part of parts) yield part.endsWith('\r') ? part.slice(0, -1) : part;
    }
  } catch (error) {
    throw new KoenbertError({ code: 'CORPUS_READ', file: file.path, message: `cannot be read (${(error as Error).message})`, cause: error });
  } finally {
    input.destroy();
    raw.destroy();
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

async function* readDelimited(params: { file: CorpusFile; start: number }): AsyncGenerator<string> {
  const { file } = params;
  let index = 0;
  let column = file.format === 'tsv' ? (file.field === undefined ? 0 : /^\d+$/.test(file.field) ? Number(file.field) : -1) : 0;
  for await (const line of readLines(file)) {
    const current = index++;
    let text: string;
    if (file.format === 'jsonl') text = jsonlText(line, file.field ?? 'text', file.path, current);
    else if (file.format === 'tsv') {
      if (column < 0) {
        // the header row names the column; it counts as a record without text
        column = line.split('\t').map((name) => name.trim()).indexOf(file.field!);
        if (column < 0) throw new KoenbertError({ code: 'CORPUS_TSV', file: file.path, message: `no column named "${file.field}" in the header row` });
        text = '';
      } else text = line.split('\t')[column] ?? '';
    } else text = line;
    if (current >= params.start) yield text.trim();
  }
}

async function* readParquet(params: { file: CorpusFile; start: number; hub?: HubOptions }): AsyncGenerator<string> {
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
      const rows = await parquetReadObjects({ file: buffer, metadata, columns: [column], rowStart, rowEnd: groupEnd });
      for (const row of rows) {
        const value = row[column];
        yield typeof value === 'string' ? value.trim() : '';
      }
    }
    groupStart = groupEnd;
  }
}

/**
 * The text of every record of a corpus file from record `start` on (records before it are skipped,
 * which is how a stream resumes): a line of .txt, a JSONL field, a TSV column, a parquet row. Empty
 * records are yielded as '' so that record indices stay stable. Memory is one line (or one parquet
 * row group), whatever the file size.
 */
export function readCorpusRecords(params: { file: CorpusFile; start?: number; hub?: HubOptions }): AsyncGenerator<string> {
  const start = params.start ?? 0;
  if (params.file.format === 'parquet') return readParquet({ file: params.file, start, hub: params.hub });
  return readDelimited({ file: params.file, start });
}
