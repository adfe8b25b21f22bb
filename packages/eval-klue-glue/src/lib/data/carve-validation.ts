import { KoenbertError, SeededRng } from '@koenbert/tensor-utils';

/**
 * Splits the training examples (`indices`) into the part that is trained on and a seeded validation part of
 * `fraction` of them (at least one example each) on which the best epoch is chosen — so the examples that are
 * scored (the dev set, or cv's held-out fold) never influence which epoch is kept. Both parts are sorted.
 */
export function carveValidation(params: { indices: readonly number[]; fraction: number; seed: number; label?: string }): { train: number[]; validation: number[] } {
  const { indices, fraction } = params;
  if (!(fraction > 0 && fraction < 1)) {
    throw new KoenbertError({ code: 'CONFIG_INVALID', message: `validationFraction must be in (0, 1), got ${fraction}` });
  }
  if (indices.length < 2) {
    throw new KoenbertError({
      code: 'CONFIG_INVALID',
      message: `checkpoint "best" needs a validation part of the training data, but there are only ${indices.length} training examples (use checkpoint "last")`,
    });
  }
  const size = Math.min(indices.length - 1, Math.max(1, Math.round(fraction * indices.length)));
  const shuffled = [...indices];
  new SeededRng(params.seed).fork(params.label ?? 'validation').shuffleInPlace(shuffled);
  const byIndex = (a: number, b: number) => a - b;
  return { validation: shuffled.slice(0, size).sort(byIndex), train: shuffled.slice(size).sort(byIndex) };
}
