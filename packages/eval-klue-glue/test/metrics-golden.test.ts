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

describe('metrics against golden values', () => {
  it('has every metric kind in the golden file', () => {
    expect(new Set(golden.cases.map((c) => c.metric))).toEqual(
      new Set(['accuracy', 'macro_f1', 'binary_f1', 'pearson', 'spearman', 'entity', 'char_macro_f1']),
    );
  });

  it.each(golden.cases.map((c) => [`${c.metric}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const actual = compute(c);
    if (typeof c.expected === 'number') {
      expect(Math.abs((actual as number) - c.expected)).toBeLessThanOrEqual(TOLERANCE);
    } else {
      for (const key of Object.keys(c.expected)) {
        expect(Math.abs((actual as Record<string, number>)[key] - c.expected[key])).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });
});
