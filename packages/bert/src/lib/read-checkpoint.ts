import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  KoenbertError,
  listRepoFiles,
  readSafetensors,
  readTorchStateDict,
  resolveModelDir,
  type HubOptions,
  type TensorRecord,
} from '@koenbert/tensor-utils';

/** Weight files in the order transformers prefers them. */
export const WEIGHT_FILES = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'] as const;

export interface Checkpoint {
  /** The folder holding config.json and the weights (a Hub id resolves to its cached snapshot). */
  dir: string;
  /** The weight file read (for a sharded checkpoint: its index). */
  file: string;
  /** Every tensor, by its name in the file; for sharded checkpoints, which shard it came from. */
  tensors: Map<string, TensorRecord>;
  sourceOf: (name: string) => string;
}

/**
 * Finds and reads the weights of a local folder or a Hub repo: model.safetensors, else pytorch_model.bin
 * (either may be sharded with an `.index.json`). Only config.json and the chosen weight files are downloaded.
 */
export async function readCheckpoint(params: { repoOrPath: string } & HubOptions): Promise<Checkpoint> {
  const { repoOrPath, ...hub } = params;
  const listed = new Set((await listRepoFiles({ repoOrPath, ...hub })).map((file) => file.path));
  const chosen = WEIGHT_FILES.find((name) => listed.has(name));
  if (!chosen) {
    throw new KoenbertError({
      code: 'MODEL_WEIGHTS_NOT_FOUND',
      file: repoOrPath,
      message: `no weights found: expected one of ${WEIGHT_FILES.join(', ')} (tf_model.h5 and flax_model.msgpack are not supported)`,
    });
  }
  const dir = await resolveModelDir({ repoOrPath, files: ['config.json', chosen], ...hub });
  const file = path.join(dir, chosen);
  if (!chosen.endsWith('.index.json')) {
    const tensors = await readWeightFile(file);
    return { dir, file, tensors, sourceOf: () => file };
  }
  const weightMap = await readShardIndex(file);
  const shards = [...new Set(Object.values(weightMap))].sort();
  await resolveModelDir({ repoOrPath, files: shards, ...hub });
  const tensors = new Map<string, TensorRecord>();
  const origin = new Map<string, string>();
  for (const shard of shards) {
    const shardFile = path.join(dir, shard);
    for (const [name, record] of await readWeightFile(shardFile)) {
      tensors.set(name, record);
      origin.set(name, shardFile);
    }
  }
  return { dir, file, tensors, sourceOf: (name) => origin.get(name) ?? file };
}

async function readWeightFile(file: string): Promise<Map<string, TensorRecord>> {
  if (file.endsWith('.safetensors')) return (await readSafetensors(file)).tensors;
  return readTorchStateDict(file);
}

async function readShardIndex(file: string): Promise<Record<string, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new KoenbertError({ code: 'CHECKPOINT_INVALID', file, message: `cannot read the shard index (${(error as Error).message})`, cause: error });
  }
  const weightMap = (json as { weight_map?: unknown })?.weight_map;
  const valid =
    typeof weightMap === 'object' &&
    weightMap !== null &&
    Object.values(weightMap).every((shard) => typeof shard === 'string' && !shard.includes('..') && !path.isAbsolute(shard));
  if (!valid) {
    throw new KoenbertError({ code: 'CHECKPOINT_INVALID', file, message: 'weight_map must map tensor names to shard files in the same folder' });
  }
  return weightMap as Record<string, string>;
}
