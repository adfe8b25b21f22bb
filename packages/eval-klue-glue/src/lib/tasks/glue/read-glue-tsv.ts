import { parseTsv, type TsvRow } from '../../io/parse-tsv';
import { readTextFile } from '../../io/read-text-file';
import { dataError } from '../../io/data-error';
import type { SentenceExample } from '../examples';
import { classIndex, scoreValue } from '../label-value';
import type { TaskName, TaskSpec } from '../task-registry';

interface GlueColumns {
  textA: string;
  textB?: string;
  label: string;
  /** Columns joined with `_` into the example id; none, or one missing from the header → the line number. */
  id: string[];
}

/** Header names of the GLUE tsv files (MRPC in its original MSR form, as GLUE distributes it). */
const COLUMNS: Partial<Record<TaskName, GlueColumns>> = {
  'glue-mrpc': { textA: '#1 String', textB: '#2 String', label: 'Quality', id: ['#1 ID', '#2 ID'] },
  'glue-stsb': { textA: 'sentence1', textB: 'sentence2', label: 'score', id: ['index'] },
  'glue-sst2': { textA: 'sentence', label: 'label', id: [] },
  'glue-qnli': { textA: 'question', textB: 'sentence', label: 'label', id: ['index'] },
};

/**
 * A GLUE tsv file (header line, tab-separated, no quoting). Columns are found by header name, so KorSTS (the Korean
 * translation of STS-B, ../shared/data/kor-nlu/korsts-*.tsv: same sentence1/sentence2/score columns, `id` instead of
 * `index`) reads as glue-stsb: that is how a model fine-tuned on English STS-B is scored zero-shot on Korean.
 */
export async function readGlueTsv(params: { task: TaskSpec; file: string }): Promise<SentenceExample[]> {
  const { task, file } = params;
  const columns = COLUMNS[task.name];
  if (!columns) throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `${task.title} has no GLUE tsv format` });
  const required = [columns.textA, ...(columns.textB ? [columns.textB] : []), columns.label];
  const rows = parseTsv({ text: await readTextFile(file), file, requiredColumns: required });
  return rows.map((row) => toExample({ task, file, row, columns }));
}

function toExample(params: { task: TaskSpec; file: string; row: TsvRow; columns: GlueColumns }): SentenceExample {
  const { task, file, row, columns } = params;
  const raw = row.fields[columns.label];
  const label =
    task.kind === 'regression'
      ? scoreValue({ value: raw, field: columns.label, file, line: row.line })
      : classIndex({ task, value: raw.trim(), file, line: row.line });
  const idFields = columns.id.map((name) => row.fields[name]);
  const id = idFields.length > 0 && idFields.every((field) => field !== undefined) ? idFields.join('_') : `line-${row.line}`;
  return {
    id,
    // SST-2's sentences end with a space; the tokenizer ignores it either way.
    textA: row.fields[columns.textA],
    ...(columns.textB ? { textB: row.fields[columns.textB] } : {}),
    label,
  };
}
