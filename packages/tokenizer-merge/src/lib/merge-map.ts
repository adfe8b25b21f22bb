import path from 'node:path';
import { z } from 'zod';
import { KoenbertError } from '@koenbert/tensor-utils';
import { readJsonFile } from './io/read-text-file';

export const MERGE_MAP_FORMAT = 'koenbert-merge-map/1';
export const MERGE_MAP_FILE = 'merge-map.json';

const idOrNull = z.number().int().min(0).nullable();

export const MergeMapSchema = z.strictObject({
  format: z.literal(MERGE_MAP_FORMAT),
  koreanVocabSize: z.number().int().positive(),
  englishVocabSize: z.number().int().positive(),
  mergedVocabSize: z.number().int().positive(),
  added: z.number().int().min(0),
  entries: z.array(z.strictObject({ mergedId: z.number().int().min(0), token: z.string(), koreanId: idOrNull, englishId: idOrNull })),
});

/**
 * merge-map.json: one entry per merged id, in id order. Korean tokens keep their ids (koreanId === mergedId);
 * English tokens the Korean vocab lacks are appended in English id order (koreanId null). englishId is the
 * id of the same token (or of the same special-token role) in the English vocab, null where it has none.
 */
export type MergeMap = z.infer<typeof MergeMapSchema>;
export type MergeMapEntry = MergeMap['entries'][number];

/** Checks the invariants a merge map must hold beyond its shape; returns the first violation or null. */
export function mergeMapProblem(map: MergeMap): string | null {
  if (map.entries.length !== map.mergedVocabSize) return `has ${map.entries.length} entries but mergedVocabSize ${map.mergedVocabSize}`;
  if (map.mergedVocabSize !== map.koreanVocabSize + map.added) return `mergedVocabSize ${map.mergedVocabSize} ≠ koreanVocabSize + added`;
  const englishSeen = new Set<number>();
  for (let id = 0; id < map.entries.length; id++) {
    const entry = map.entries[id];
    if (entry.mergedId !== id) return `entry ${id} has mergedId ${entry.mergedId}; entries must be in id order`;
    if (id < map.koreanVocabSize && entry.koreanId !== id) return `Korean entry ${id} has koreanId ${String(entry.koreanId)}; Korean ids must be kept`;
    if (id >= map.koreanVocabSize && (entry.koreanId !== null || entry.englishId === null)) return `appended entry ${id} must have koreanId null and an englishId`;
    if (entry.englishId !== null) {
      if (entry.englishId >= map.englishVocabSize) return `entry ${id} has englishId ${entry.englishId} ≥ englishVocabSize`;
      if (englishSeen.has(entry.englishId)) return `englishId ${entry.englishId} appears twice`;
      englishSeen.add(entry.englishId);
    }
  }
  return null;
}

/** Validates a parsed merge-map.json; errors name the file and the field. */
export function parseMergeMap(json: unknown, file: string): MergeMap {
  const result = MergeMapSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new KoenbertError({ code: 'INVALID_MERGE_MAP', file, message: `${issue.path.join('.') || '(root)'}: ${issue.message}` });
  }
  const problem = mergeMapProblem(result.data);
  if (problem) throw new KoenbertError({ code: 'INVALID_MERGE_MAP', file, message: problem });
  return result.data;
}

/** Reads merge-map.json from a merged tokenizer folder (or the file itself). */
export async function readMergeMap(dirOrFile: string): Promise<MergeMap> {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, MERGE_MAP_FILE);
  return parseMergeMap(await readJsonFile(file), file);
}

/** Lookup tables teacher id → merged id. Korean is the identity; English ids with no entry ([unusedN]) map to `unkId`. */
export interface MergeIdTables {
  koreanToMerged: Int32Array;
  englishToMerged: Int32Array;
}

const tablesCache = new WeakMap<MergeMap, MergeIdTables>();

export function mergeIdTables(map: MergeMap, unkId: number): MergeIdTables {
  const cached = tablesCache.get(map);
  if (cached) return cached;
  const koreanToMerged = new Int32Array(map.koreanVocabSize);
  const englishToMerged = new Int32Array(map.englishVocabSize).fill(unkId);
  for (const entry of map.entries) {
    if (entry.koreanId !== null) koreanToMerged[entry.koreanId] = entry.mergedId;
    if (entry.englishId !== null) englishToMerged[entry.englishId] = entry.mergedId;
  }
  const tables = { koreanToMerged, englishToMerged };
  tablesCache.set(map, tables);
  return tables;
}
