import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HubOptions } from '@koenbert/tensor-utils';
import { dataError } from '../io/data-error';
import type { TaskExample } from './examples';
import { loadHfSplit } from './hf/load-hf-split';
import { readOfficialFile } from './read-official-file';
import type { TaskSpec } from './task-registry';

export type DataSourceKind = 'official' | 'hub';

export interface LoadSplitParams extends HubOptions {
  task: TaskSpec;
  split: 'train' | 'dev';
  /** `official`: files under `dataDir` (or `file`); `hub`: the Hugging Face datasets version. */
  source?: DataSourceKind;
  /** Folder laid out like ../shared/data (`klue/ynat/…`, `glue/sst2/…`). */
  dataDir?: string;
  /** An explicit file for this split (official format), instead of looking in `dataDir`. */
  file?: string;
  /** Dataset repo id or local dataset folder for `hub` (default: the task's, e.g. klue/klue). */
  hubRepo?: string;
}

/** The official file for a split: the explicit one, else the first of the task's known names under dataDir. */
export function findOfficialFile(params: { task: TaskSpec; split: 'train' | 'dev'; dataDir?: string; file?: string }): string {
  const { task, split } = params;
  if (params.file) return path.resolve(params.file);
  const candidates = task.officialFiles[split];
  if (!params.dataDir) {
    throw dataError({ code: 'DATA_SPLIT_MISSING', file: task.name, message: `no data folder given for the ${split} split of ${task.title} (set dataDir or the ${split} file)` });
  }
  for (const candidate of candidates) {
    const file = path.resolve(params.dataDir, candidate);
    if (existsSync(file)) return file;
  }
  const hint = split === 'train' ? '; use cv mode to fine-tune on folds of the dev set' : '';
  throw dataError({
    code: 'DATA_SPLIT_MISSING',
    file: path.resolve(params.dataDir),
    message: `no ${split} split of ${task.title} (looked for ${candidates.join(', ')})${hint}`,
  });
}

/** The examples of one split; an empty split is a one-line error. */
export async function loadSplit(params: LoadSplitParams): Promise<TaskExample[]> {
  const { task, split, source = 'official', dataDir, file, hubRepo, ...hub } = params;
  let examples: TaskExample[];
  let origin: string;
  if (source === 'hub') {
    origin = `${hubRepo ?? task.hub.repo}/${task.hub.config}`;
    examples = await loadHfSplit({ task, split, repo: hubRepo, ...hub });
  } else {
    origin = findOfficialFile({ task, split, dataDir, file });
    examples = await readOfficialFile({ task, file: origin });
  }
  if (examples.length === 0) throw dataError({ code: 'DATA_EMPTY_SPLIT', file: origin, message: `the ${split} split of ${task.title} has no examples` });
  return examples;
}
