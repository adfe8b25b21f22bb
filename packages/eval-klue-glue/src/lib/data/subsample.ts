import { SeededRng } from '@koenbert/tensor-utils';

/** At most `limit` items chosen uniformly at random with `seed`, in their original order (all of them without a limit). */
export function subsample<T>(params: { items: readonly T[]; limit?: number; seed: number }): T[] {
  const { items, limit } = params;
  if (limit === undefined || limit >= items.length) return [...items];
  const indices = Array.from({ length: items.length }, (_, i) => i);
  new SeededRng(params.seed).shuffleInPlace(indices);
  return indices
    .slice(0, limit)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}
