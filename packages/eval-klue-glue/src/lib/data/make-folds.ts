import { KoenbertError, SeededRng } from '@koenbert/tensor-utils';

/** k disjoint folds covering 0…count−1 (seeded shuffle, sizes differing by at most one), each sorted. */
export function makeFolds(params: { count: number; k: number; seed: number }): number[][] {
  const { count, k } = params;
  if (!Number.isInteger(k) || k < 2 || k > count) {
    throw new KoenbertError({ code: 'CONFIG_INVALID', message: `cv: need 2 ≤ k ≤ number of examples (${count}), got ${k}` });
  }
  const indices = Array.from({ length: count }, (_, i) => i);
  new SeededRng(params.seed).shuffleInPlace(indices);
  const folds: number[][] = Array.from({ length: k }, () => []);
  indices.forEach((index, position) => folds[position % k].push(index));
  return folds.map((fold) => fold.sort((a, b) => a - b));
}
