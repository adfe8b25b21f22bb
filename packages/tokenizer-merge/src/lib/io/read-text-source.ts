import { KoenbertError } from '@koenbert/tensor-utils';
import { readTextFile } from './read-text-file';
import { splitSourceColumn } from './split-source-column';

/** Sentences read from one text source, and how many the source had before sampling. */
export interface TextSample {
  source: string;
  lines: string[];
  totalLines: number;
}

/** Splits one CSV record (RFC 4180 quoting; records do not span lines here). */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field.length === 0) quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

/** Every k-th item so that `count` items spread over the whole list (deterministic). */
export function spreadSample<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]);
}

/**
 * Reads sentences from a text source:
 * - `file.txt`: one sentence per line;
 * - `file.tsv#2` / `file.csv#2`: column 2 (from 0) of every row;
 * - `file.tsv#sentence1`: the column with that header name (the header row is skipped).
 * Empty lines are dropped; with maxLines, lines spread evenly over the file are kept.
 */
export async function readTextSource(params: { source: string; maxLines?: number }): Promise<TextSample> {
  const { source } = params;
  const { file, column } = splitSourceColumn(source);
  const text = (await readTextFile(file)).replace(/^\uFEFF/, '');
  let rows = text.split(/\r?\n/);
  if (column !== undefined) {
    const split = file.endsWith('.csv') ? splitCsvLine : (line: string) => line.split('\t');
    let index = /^\d+$/.test(column) ? Number(column) : -1;
    if (index < 0) {
      const header = split(rows[0] ?? '').map((name) => name.trim());
      index = header.indexOf(column);
      if (index < 0) {
        throw new KoenbertError({ code: 'INVALID_TEXT_SOURCE', file, message: `no column named ${column} (header: ${header.join(', ')})` });
      }
      rows = rows.slice(1);
    }
    rows = rows.map((row) => (row.length === 0 ? '' : (split(row)[index] ?? '')));
  }
  const lines = rows.map((row) => row.trim()).filter((row) => row.length > 0);
  return { source, lines: params.maxLines === undefined ? lines : spreadSample(lines, params.maxLines), totalLines: lines.length };
}
