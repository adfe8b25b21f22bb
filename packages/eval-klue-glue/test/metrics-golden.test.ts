import { readFileSync } from 'node:fs';
import path from 'node:path';
import { accuracy } from '../src/lib/metrics/accuracy';
import { binaryF1 } from '../src/lib/metrics/binary-f1';
import { charMacroF1 } from '../src/lib/metrics/char-macro-f1';
import { entityF1 } from '../src/lib/metrics/entity-f1';
import { macroF1 } from '../src/lib/metrics/macro-f1';
import { pearson } from '../src/lib/metrics/pearson';
import { spearman } from '../src/lib/metrics/spearman';

// Golden values from scikit-learn 1.2.1 / scipy 1.10.1 / seqeval strict semantics on real dev labels with
// model-like predictions: tools/golden/make-eval-metrics-golden.py. Tolerance: 1e-12 absolute (float64
// summation order differs from numpy's pairwise sums).
interface GoldenCase {
  name: string;
  metric: 'accuracy' | 'macro_f1' | 'binary_f1' | 'pearson' | 'spearman' | 'entity' | 'char_macro_f1';
  gold: any;
  predicted: any;
  expected: any;
  labels?: number[];
  zeroDivision?: number;
  numLabels?: number;
}

const golden = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'metrics-golden.json'), 'utf8')) as { cases: GoldenCase[] };
const TOLERANCE = 1e-12;

function compute(c: GoldenCase): number | Record<string, number> {
  switch (c.metric) {
    case 'accuracy':
      return accuracy({ gold: c.gold, predicted: c.predicted });
    case 'macro_f1':
      return macroF1({ gold: c.gold, predicted: c.predicted, labels: c.labels, zeroDivision: c.zeroDivision });
    case 'binary_f1':
      return binaryF1({ gold: c.gold, predicted: c.predicted });
    case 'pearson':
      return pearson({ x: c.gold, y: c.predicted });
    case 'spearman':
      return spearman({ x: c.gold, y: c.predicted });
    case 'char_macro_f1':
      return charMacroF1({ gold: c.gold, predicted: c.predicted, numLabels: c.numLabels! });
    case 'entity': {
      const scores = entityF1({ gold: c.gold, predicted: c.predicted });
      return { precision: scores.precision, recall: scores.recall, f1: scores.f1, macroF1: scores.macroF1 };
    }
  }
}

// An independent second computation of every golden value, from the textbook closed forms (no code shared with
// src/lib/metrics): a fixture that drifted from what the metrics mean fails here, not only a metric that drifted from
// the fixture. F1 = 2·tp / (2·tp + fp + fn); sklearn's zero_division applies only when tp + fp + fn = 0.
function f1Of(gold: ArrayLike<number>, predicted: ArrayLike<number>, label: number, zeroDivision: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < gold.length; i++) {
    if (predicted[i] === label && gold[i] === label) tp++;
    else if (predicted[i] === label) fp++;
    else if (gold[i] === label) fn++;
  }
  return tp + fp + fn === 0 ? zeroDivision : (2 * tp) / (2 * tp + fp + fn);
}

function macroOf(gold: number[], predicted: number[], labels: number[] | undefined, zeroDivision: number): number {
  const classes = labels ?? [...new Set([...gold, ...predicted])];
  return classes.reduce((sum, label) => sum + f1Of(gold, predicted, label, zeroDivision), 0) / classes.length;
}

function pearsonOf(x: number[], y: number[]): number {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(x), mean(y)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((xi, i) => {
    sxy += (xi - mx) * (y[i] - my);
    sxx += (xi - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

/** 1-based ranks, ties sharing the mean of the ranks they span. */
function ranksOf(v: number[]): number[] {
  return v.map((value) => {
    const below = v.filter((w) => w < value).length;
    const equal = v.filter((w) => w === value).length;
    return below + (equal + 1) / 2;
  });
}

/** seqeval strict IOB2: every B-X with the I-X run right after it; nothing else is an entity. */
function entitiesOf(tags: readonly string[]): string[] {
  const spans: string[] = [];
  tags.forEach((tag, start) => {
    if (!tag.startsWith('B-')) return;
    let end = start + 1;
    while (tags[end] === `I-${tag.slice(2)}`) end++;
    spans.push(`${tag.slice(2)}:${start}:${end}`);
  });
  return spans;
}

function entityScoresOf(gold: string[][], predicted: string[][]): Record<string, number> {
  const count = (sentences: string[][]) => sentences.flatMap((tags, s) => entitiesOf(tags).map((span) => `${s}:${span}`));
  const [g, p] = [count(gold), count(predicted)];
  const hits = p.filter((span) => g.includes(span));
  const typeOf = (span: string) => span.split(':')[1];
  const types = [...new Set([...g, ...p].map(typeOf))];
  const f1 = (tp: number, predictedCount: number, goldCount: number) => (predictedCount + goldCount === 0 ? 0 : (2 * tp) / (predictedCount + goldCount));
  const perType = types.map((type) => f1(hits.filter((s) => typeOf(s) === type).length, p.filter((s) => typeOf(s) === type).length, g.filter((s) => typeOf(s) === type).length));
  return {
    precision: p.length === 0 ? 0 : hits.length / p.length,
    recall: g.length === 0 ? 0 : hits.length / g.length,
    f1: f1(hits.length, p.length, g.length),
    macroF1: types.length === 0 ? 0 : perType.reduce((a, b) => a + b, 0) / types.length,
  };
}

function closedForm(c: GoldenCase): number | Record<string, number> {
  switch (c.metric) {
    case 'accuracy':
      return c.gold.filter((label: number, i: number) => label === c.predicted[i]).length / c.gold.length;
    case 'macro_f1':
      return macroOf(c.gold, c.predicted, c.labels, c.zeroDivision ?? 0);
    case 'binary_f1':
      return f1Of(c.gold, c.predicted, 1, 0);
    case 'pearson':
      return pearsonOf(c.gold, c.predicted);
    case 'spearman':
      return pearsonOf(ranksOf(c.gold), ranksOf(c.predicted));
    case 'char_macro_f1':
      return macroOf(c.gold.flat(), c.predicted.flat(), Array.from({ length: c.numLabels! }, (_, i) => i), 1);
    case 'entity':
      return entityScoresOf(c.gold, c.predicted);
  }
}

function expectClose(actual: number | Record<string, number>, expected: number | Record<string, number>): void {
  if (typeof expected === 'number') {
    expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(TOLERANCE);
    return;
  }
  for (const key of Object.keys(expected)) expect(Math.abs((actual as Record<string, number>)[key] - expected[key])).toBeLessThanOrEqual(TOLERANCE);
}

describe('metrics against golden values', () => {
  it('has every metric kind in the golden file, and the closed forms in this test give every golden value', () => {
    expect(new Set(golden.cases.map((c) => c.metric))).toEqual(
      new Set(['accuracy', 'macro_f1', 'binary_f1', 'pearson', 'spearman', 'entity', 'char_macro_f1']),
    );
    for (const c of golden.cases) expectClose(closedForm(c), c.expected);
  });

  it('the closed forms on hand cases: exact values without the fixture', () => {
    expect(closedForm({ name: '', metric: 'macro_f1', gold: [0, 0, 1, 2], predicted: [0, 1, 1, 1], expected: 0 })).toBeCloseTo((2 / 3 + 2 / 4 + 0) / 3, 15);
    expect(compute({ name: '', metric: 'macro_f1', gold: [0, 0, 1, 2], predicted: [0, 1, 1, 1], expected: 0 })).toBeCloseTo((2 / 3 + 2 / 4 + 0) / 3, 15);
    expect(compute({ name: '', metric: 'spearman', gold: [1, 2, 3, 4], predicted: [40, 30, 20, 10], expected: 0 })).toBeCloseTo(-1, 15);
    expect(compute({ name: '', metric: 'pearson', gold: [1, 2, 3], predicted: [2, 4, 6], expected: 0 })).toBeCloseTo(1, 15);
  });

  it.each(golden.cases.map((c) => [`${c.metric}: ${c.name}`, c] as const))('%s', (_name, c) => {
    expectClose(compute(c), c.expected);
  });
});
