import { parseCsv } from '../../io/parse-csv';
import { readTextFile } from '../../io/read-text-file';
import type { SentenceExample } from '../examples';
import { scoreValue } from '../label-value';

/** KLUE STS train as CSV (`sentence1,sentence2,label`, real-valued label 0–5, no guid: ids are line numbers). */
export async function readKlueStsCsv(params: { file: string }): Promise<SentenceExample[]> {
  const { file } = params;
  const rows = parseCsv({ text: await readTextFile(file), file, requiredColumns: ['sentence1', 'sentence2', 'label'] });
  return rows.map((row) => ({
    id: `line-${row.line}`,
    textA: row.fields.sentence1,
    textB: row.fields.sentence2,
    label: scoreValue({ value: row.fields.label, field: 'label', file, line: row.line }),
  }));
}
