import path from 'node:path';
import { listRepoFiles, resolveModelDir, type HubOptions } from '@koenbert/tensor-utils';
import { dataError } from '../../io/data-error';
import type { TaskExample } from '../examples';
import type { TaskSpec } from '../task-registry';
import { readHfParquet } from './read-hf-parquet';

/** Parquet shards of `split` under `config/`: `config/split-00000-of-00001.parquet` or `config/split/0000.parquet`. */
export function selectSplitShards(params: { paths: string[]; config: string; split: string }): string[] {
  const prefix = `${params.config}/${params.split}`;
  return params.paths
    .filter((file) => file.endsWith('.parquet') && (file.startsWith(`${prefix}-`) || file.startsWith(`${prefix}/`) || file === `${prefix}.parquet`))
    .sort();
}

/**
 * A split of the Hugging Face datasets version of a task (`klue/klue`, `nyu-mll/glue`, or `repo`): lists the
 * repo, downloads the split's parquet shards into the HF cache (or reads them from a local dataset folder) and
 * parses them. Errors when the split has no shards.
 */
export async function loadHfSplit(params: { task: TaskSpec; split: 'train' | 'dev'; repo?: string } & HubOptions): Promise<TaskExample[]> {
  const { task, split, repo = task.hub.repo, ...hub } = params;
  const hfSplit = split === 'train' ? task.hub.trainSplit : task.hub.devSplit;
  const listing = await listRepoFiles({ repoOrPath: repo, repoType: 'dataset', folder: task.hub.config, ...hub });
  const shards = selectSplitShards({ paths: listing.map((entry) => entry.path), config: task.hub.config, split: hfSplit });
  if (shards.length === 0) {
    throw dataError({
      code: 'DATA_SPLIT_MISSING',
      file: `${repo}/${task.hub.config}`,
      message: `no parquet shards for split "${hfSplit}" (expected ${task.hub.config}/${hfSplit}-*.parquet)`,
    });
  }
  const dir = await resolveModelDir({ repoOrPath: repo, repoType: 'dataset', files: shards, ...hub });
  return readHfParquet({ task, files: shards.map((shard) => path.join(dir, shard)) });
}
