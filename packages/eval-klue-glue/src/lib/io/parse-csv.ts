import { dataError } from './data-error';

export interface CsvRow {
  /** 1-based line number where the record starts. */
  line: number;
  fields: Record<string, string>;
}

/**
 * RFC 4180 comma-separated values with a header record: fields may be double-quoted, a quoted field may
 * hold commas, newlines and doubled quotes (`""`). Every record must have as many fields as the header.
 */
export function parseCsv(params: { text: string; file: string; requiredColumns: string[] }): CsvRow[] {
  const { text, file } = params;
  const records: Array<{ line: number; values: string[] }> = [];
  let values: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let atFieldStart = true;
  const endRecord = (): void => {
    values.push(field);
    if (!(values.length === 1 && values[0] === '')) records.push({ line: recordLine, values });
    values = [];
    field = '';
    atFieldStart = true;
  };
  while (i < text.length) {
    const char = text[i];
    if (atFieldStart && char === '"') {
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw dataError({ code: 'DATA_MALFORMED_ROW', file, line: quoteLine, message: 'a quoted field is never closed' });
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === '\n') line++;
        field += text[i++];
      }
      atFieldStart = false;
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw dataError({ code: 'DATA_MALFORMED_ROW', file, line, message: 'unexpected character after a closing quote' });
      }
      continue;
    }
    atFieldStart = false;
    if (char === ',') {
      values.push(field);
      field = '';
      atFieldStart = true;
      i++;
    } else if (char === '\n' || char === '\r') {
      endRecord();
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += char;
      i++;
    }
  }
  if (field !== '' || values.length > 0) endRecord();
  if (records.length === 0) throw dataError({ code: 'DATA_EMPTY_SPLIT', file, message: 'the file is empty (no header record)' });
  const header = records[0].values.map((name, index) => (index === 0 ? name.replace(/^\uFEFF/, '') : name));
  for (const column of params.requiredColumns) {
    if (!header.includes(column)) {
      throw dataError({ code: 'DATA_MALFORMED_ROW', file, line: 1, message: `header has no column "${column}" (found: ${header.join(', ')})` });
    }
  }
  return records.slice(1).map((record) => {
    if (record.values.length !== header.length) {
      throw dataError({
        code: 'DATA_MALFORMED_ROW',
        file,
        line: record.line,
        message: `expected ${header.length} comma-separated fields (${header.join(', ')}), found ${record.values.length}`,
      });
    }
    const fields: Record<string, string> = {};
    header.forEach((name, column) => {
      fields[name] = record.values[column];
    });
    return { line: record.line, fields };
  });
}
