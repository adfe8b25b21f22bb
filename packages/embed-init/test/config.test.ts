import { describeSchema, resolveConfig } from '@koenbert/tensor-utils';
import { DEFAULT_MLP_OPTIONS } from '../src/lib/strategies/mlp';
import { DEFAULT_RIDGE_ALPHAS } from '../src/lib/strategies/ridge';
import { InitEmbeddingsConfigSchema, parseInitEmbeddingsConfig } from '../src/lib/config';

const required = { korean: 'ko', english: 'en', tokenizer: 'merged', output: 'out' };

describe('init-embeddings config', () => {
  it('fills every default, nested sections included', () => {
    expect(parseInitEmbeddingsConfig(required)).toEqual({
      ...required,
      overwrite: false,
      method: 'ridge',
      compare: ['ridge', 'lstsq', 'procrustes', 'mean', 'subword-mean'],
      heldOut: 0.2,
      dropNonWord: false,
      nnQueries: 2000,
      seed: 0,
      ridge: { alphas: DEFAULT_RIDGE_ALPHAS, folds: 5 },
      procrustes: { scale: true },
      mlp: DEFAULT_MLP_OPTIONS,
      mean: { noise: 0.02 },
    });
  });

  it('keeps the other defaults of a partly given section', () => {
    expect(parseInitEmbeddingsConfig({ ...required, ridge: { lambda: 3 } }).ridge).toEqual({ alphas: DEFAULT_RIDGE_ALPHAS, folds: 5, lambda: 3 });
  });

  it.each([
    [{ method: 'svd' }, /^method: Invalid option: expected one of "ridge"\|"lstsq"\|"procrustes"\|"mlp"\|"mean"\|"subword-mean"$/],
    [{ heldOut: 1 }, /^heldOut: /],
    [{ ridge: { folds: 1 } }, /^ridge\.folds: /],
    [{ ridge: { fold: 3 } }, /^ridge: Unrecognized key: "fold"$/],
    [{ colour: 'red' }, /colour/],
  ])('rejects %j naming the field', (override, message) => {
    expect(() => parseInitEmbeddingsConfig({ ...required, ...override })).toThrow(message);
  });

  it('works with the shared resolveConfig (dotted overrides) and describeSchema (CLI flags)', async () => {
    const config = await resolveConfig({ schema: InitEmbeddingsConfigSchema, overrides: { ...required, 'ridge.folds': 3, method: 'lstsq' } });
    expect(config.ridge.folds).toBe(3);
    expect(config.method).toBe('lstsq');
    expect(config.mlp.hidden).toBe(DEFAULT_MLP_OPTIONS.hidden);
    const rows = describeSchema(InitEmbeddingsConfigSchema);
    const folds = rows.find((row) => row.key === 'ridge.folds')!;
    expect(folds).toMatchObject({ type: expect.any(String), default: 5, required: false });
    expect(rows.find((row) => row.key === 'korean')!.required).toBe(true);
  });
});
