import { dataError } from './data-error';
import { splitLines } from './read-text-file';

export interface TsvRow {
  /** 1-based line number in the file (for error messages). */
  line: number;
  /** Field values by header name. */
  fields: Record<string, string>;
}

/**
 * A tab-separated file with a header line and no quoting (GLUE's format: quotes are ordinary characters).
 * Every row must have as many fields as the header; trailing empty lines are ignored.
 */
export function parseTsv(params: { text: string; file: string; requiredColumns: string[] }): TsvRow[] {
  const { file } = params;
  const lines = splitLines(params.text);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw dataError({ code: 'DATA_EMPTY_SPLIT', file, message: 'the file is empty (no header line)' });
  const header = lines[0].split('\t');
  for (const column of params.requiredColumns) {
    if (!header.includes(column)) {
      throw dataError({
        code: 'DATA_MALFORMED_ROW',
        file,
        line: 1,
        message: `header has no column "${column}" (found: ${header.join(', ')})`,
      });
    }
  }
  const rows: TsvRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const values = lines[i].split('\t');
    if (values.length !== header.length) {
      throw dataError({
        code: 'DATA_MALFORMED_ROW',
        file,
        line: i + 1,
        message: `expected ${header.length} tab-separated fields (${header.join(', ')}), found ${values.length}`,
      });
    }
    const fields: Record<string, string> = {};
    header.forEach((name, column) => {
      fields[name] = values[column];
    });
    rows.push({ line: i + 1, fields });
  }
  return rows;
}
