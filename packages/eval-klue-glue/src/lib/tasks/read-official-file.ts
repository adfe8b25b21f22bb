import path from 'node:path';
import { dataError } from '../io/data-error';
import type { TaskExample } from './examples';
import { readGlueTsv } from './glue/read-glue-tsv';
import { readKlueJson } from './klue/read-klue-json';
import { readKlueNerTsv } from './klue/read-klue-ner-tsv';
import { readKlueStsCsv } from './klue/read-klue-sts-csv';
import type { TaskSpec } from './task-registry';

/** One file in a task's official format, chosen by extension: KLUE .json, KLUE STS .csv, KLUE NER or GLUE .tsv. */
export async function readOfficialFile(params: { task: TaskSpec; file: string }): Promise<TaskExample[]> {
  const { task, file } = params;
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json' && task.benchmark === 'klue' && task.kind !== 'token-classification') return readKlueJson({ task, file });
  if (extension === '.csv' && task.name === 'klue-sts') return readKlueStsCsv({ file });
  if (extension === '.tsv' && task.name === 'klue-ner') return readKlueNerTsv({ task, file });
  if (extension === '.tsv' && task.benchmark === 'glue') return readGlueTsv({ task, file });
  const expected = task.name === 'klue-ner' ? '.tsv' : task.name === 'klue-sts' ? '.json or .csv' : task.benchmark === 'klue' ? '.json' : '.tsv';
  throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `${task.title} reads ${expected} files, not "${extension || '(no extension)'}"` });
}
