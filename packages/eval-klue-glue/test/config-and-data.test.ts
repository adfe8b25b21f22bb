import { parseEvalConfig, resolveHyperparameters } from '../src/lib/config';
import { makeFolds } from '../src/lib/data/make-folds';
import { meanStd } from '../src/lib/data/mean-std';
import { summariseSeeds } from '../src/lib/results/summarise-seeds';
import { subsample } from '../src/lib/data/subsample';
import { averageRanks } from '../src/lib/metrics/average-ranks';
import { accuracy } from '../src/lib/metrics/accuracy';
import { extractEntities } from '../src/lib/metrics/extract-entities';
import { pearson } from '../src/lib/metrics/pearson';
import { spearman } from '../src/lib/metrics/spearman';
import { getTask, listTasks, TASK_NAMES } from '../src/lib/tasks/task-registry';

describe('task registry', () => {
  it('has the eight tasks of the issue with their heads and metrics', () => {
    expect(listTasks().map((t) => [t.name, t.kind, t.primaryMetric, t.labels.length])).toEqual([
      ['klue-ynat', 'classification', 'macro_f1', 7],
      ['klue-sts', 'regression', 'pearson', 0],
      ['klue-nli', 'classification', 'accuracy', 3],
      ['klue-ner', 'token-classification', 'entity_macro_f1', 13],
      ['glue-mrpc', 'classification', 'f1', 2],
      ['glue-stsb', 'regression', 'spearman', 0],
      ['glue-sst2', 'classification', 'accuracy', 2],
      ['glue-qnli', 'classification', 'accuracy', 2],
    ]);
  });

  it.each([
    ['klue-ynat', { lr: 5e-5, epochs: 4, batchSize: 32, maxLength: 128, warmupRatio: 0.1, weightDecay: 0.01, seed: 42 }],
    ['klue-sts', { lr: 5e-5, epochs: 4, batchSize: 32, maxLength: 128, warmupRatio: 0.1, weightDecay: 0, seed: 42 }],
    ['klue-nli', { lr: 5e-5, epochs: 5, batchSize: 32, maxLength: 128, warmupRatio: 0.1, weightDecay: 0.01, seed: 42 }],
    ['klue-ner', { lr: 5e-5, epochs: 3, batchSize: 8, maxLength: 510, warmupRatio: 0.1, weightDecay: 0.01, seed: 42 }],
    ['glue-sst2', { lr: 1e-5, epochs: 3, batchSize: 32, maxLength: 128, warmupRatio: 0.05, weightDecay: 0.01, seed: 42 }],
  ] as const)('%s defaults', (task, expected) => {
    expect(resolveHyperparameters(parseEvalConfig({ model: 'm', task }))).toEqual(expected);
  });

  it('config values override the task defaults', () => {
    const config = parseEvalConfig({ model: 'm', task: 'glue-mrpc', lr: 3e-5, epochs: 1, seed: 7 });
    expect(resolveHyperparameters(config)).toMatchObject({ lr: 3e-5, epochs: 1, seed: 7, batchSize: 32 });
    expect(config).toMatchObject({ seeds: 1, checkpoint: 'best', tokenTypeIds: true, source: 'official' });
  });

  it.each([
    [{ model: 'm', task: 'glue-cola' }, /^task: /],
    [{ model: 'm', task: 'glue-sst2', cv: 1 }, /^cv: /],
    [{ model: 'm', task: 'glue-sst2', epochs: 0 }, /^epochs: /],
    [{ model: 'm', task: 'glue-sst2', bogus: true }, /^bogus: /],
    [{ task: 'glue-sst2' }, /^model: /],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => parseEvalConfig(input)).toThrow(message);
  });

  it('unknown task names list the known ones', () => {
    expect(() => getTask('glue-cola')).toThrow(`unknown task "glue-cola" (known: ${TASK_NAMES.join(', ')})`);
  });
});

describe('subsample and folds', () => {
  const items = Array.from({ length: 100 }, (_, i) => i);

  it('subsample keeps order, is seeded, and returns everything without a limit', () => {
    const a = subsample({ items, limit: 10, seed: 1 });
    expect(a).toHaveLength(10);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(subsample({ items, limit: 10, seed: 1 })).toEqual(a);
    expect(subsample({ items, limit: 10, seed: 2 })).not.toEqual(a);
    expect(subsample({ items, seed: 1 })).toEqual(items);
    expect(subsample({ items, limit: 500, seed: 1 })).toEqual(items);
  });

  it.each([
    [100, 5],
    [7, 3],
    [10, 10],
  ])('%i items in %i folds: disjoint, complete, balanced', (count, k) => {
    const folds = makeFolds({ count, k, seed: 42 });
    expect(folds).toHaveLength(k);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    const sizes = folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('rejects k larger than the data', () => {
    expect(() => makeFolds({ count: 3, k: 4, seed: 1 })).toThrow(/cv: need 2 ≤ k ≤ number of examples \(3\), got 4/);
  });

  it.each([
    [[1], 1, 0],
    [[1, 3], 2, Math.SQRT2],
    [[2, 4, 4, 4, 5, 5, 7, 9], 5, Math.sqrt(32 / 7)],
  ])('meanStd(%j) = %d ± %d (sample std)', (values, mean, std) => {
    const result = meanStd(values);
    expect(result.mean).toBeCloseTo(mean, 12);
    expect(result.std).toBeCloseTo(std, 12);
  });

  it('a NaN seed is not dropped: mean and std become NaN', () => {
    expect(meanStd([Number.NaN, 1, 3])).toEqual({ mean: Number.NaN, std: Number.NaN });
    expect(meanStd([])).toEqual({ mean: Number.NaN, std: Number.NaN });
  });

  it('summariseSeeds keeps a NaN seed in values, with a note naming it', () => {
    const { metrics, notes } = summariseSeeds({ metrics: ['pearson', 'f1'], seeds: [42, 43, 44], seedMetrics: [{ pearson: 0.5, f1: 0.7 }, { pearson: Number.NaN, f1: 0.6 }, { pearson: 0.7, f1: 0.8 }] });
    expect(metrics.pearson).toEqual({ mean: Number.NaN, std: Number.NaN, values: [0.5, Number.NaN, 0.7] });
    expect(metrics.f1!.mean).toBeCloseTo(0.7, 12);
    expect(notes).toEqual(['pearson is NaN for seed 43 (kept in values; mean and std are NaN)']);
  });
});

describe('metric edge cases (closed form)', () => {
  it.each([
    [[10, 20, 20, 30], [1, 2.5, 2.5, 4]],
    [[3, 3, 3], [2, 2, 2]],
    [[5, 1, 4, 1, 5], [4.5, 1.5, 3, 1.5, 4.5]],
    [[], []],
  ])('averageRanks(%j)', (values, ranks) => {
    expect(Array.from(averageRanks(values))).toEqual(ranks);
  });

  it('correlations of constant inputs are NaN; perfect monotone ones are ±1', () => {
    expect(pearson({ x: [1, 1, 1], y: [1, 2, 3] })).toBeNaN();
    expect(spearman({ x: [1, 2, 3], y: [4, 4, 4] })).toBeNaN();
    expect(pearson({ x: [1, 2, 3], y: [2, 4, 6] })).toBe(1);
    expect(spearman({ x: [1, 2, 3, 4], y: [1, 4, 9, 100] })).toBe(1);
    expect(spearman({ x: [1, 2, 3, 4], y: [4, 3, 2, 1] })).toBe(-1);
  });

  it('refuses gold and predictions of different lengths', () => {
    expect(() => accuracy({ gold: [1, 2], predicted: [1] })).toThrow('accuracy: 2 gold values but 1 predictions');
  });

  it.each([
    [['B-PS', 'I-PS', 'O'], [{ type: 'PS', start: 0, end: 2 }]],
    [['I-PS', 'I-PS', 'B-LC'], [{ type: 'LC', start: 2, end: 3 }]],
    [['B-PS', 'I-LC', 'I-PS'], [{ type: 'PS', start: 0, end: 1 }]],
    [['B-DT', 'B-DT', 'I-DT'], [{ type: 'DT', start: 0, end: 1 }, { type: 'DT', start: 1, end: 3 }]],
    [['O', 'O'], []],
    [[], []],
  ])('extractEntities(%j) (strict IOB2)', (tags, spans) => {
    expect(extractEntities(tags)).toEqual(spans);
  });
});
