import { readFileSync } from 'node:fs';
import path from 'node:path';
import { klueNerScores } from '../src/lib/metrics/klue-ner-scores';
import { taskMetrics } from '../src/lib/metrics/task-metrics';
import { getTask, KLUE_NER_LABELS } from '../src/lib/tasks/task-registry';

// KLUE's official scoring against values computed from the definitions by tools/golden/make-klue-metrics-golden.py
// (Python + numpy; seqeval strict IOB2 and scikit-learn's macro F1 written out there) on real KLUE dev labels with
// model-like predictions and hand-made edge cases (an entity broken by a space, a stray I- that continues the
// previous sentence's entity once sentences are joined). Tolerance 1e-12 absolute: float64 summation order only.
interface GoldenCase {
  name: string;
  task: 'klue-ner' | 'klue-sts';
  chars?: string[];
  gold: any;
  goldBinary?: number[];
  predicted: any;
  expected: Record<string, number>;
}

const golden = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'klue-metrics-golden.json'), 'utf8')) as { cases: GoldenCase[] };
const TOLERANCE = 1e-12;

function expectClose(actual: Record<string, number | undefined>, expected: Record<string, number>): void {
  for (const [key, value] of Object.entries(expected)) {
    expect(Math.abs((actual[key] as number) - value)).toBeLessThanOrEqual(TOLERANCE);
  }
}

describe('KLUE official scoring against the golden file', () => {
  it('covers NER and STS, with non-trivial values', () => {
    expect(new Set(golden.cases.map((c) => c.task))).toEqual(new Set(['klue-ner', 'klue-sts']));
    expect(golden.cases.some((c) => c.expected.entity_macro_f1 > 0.1 && c.expected.entity_macro_f1 < 0.9)).toBe(true);
  });

  it.each(golden.cases.filter((c) => c.task === 'klue-ner').map((c) => [c.name, c] as const))('NER: %s', (_name, c) => {
    const chars = c.chars!.map((sentence) => [...sentence]);
    expectClose(klueNerScores({ chars, gold: c.gold, predicted: c.predicted, labels: KLUE_NER_LABELS }), c.expected);
    // The task's metrics (what evaluate reports) are the same numbers, entity macro F1 first.
    const task = getTask('klue-ner');
    expect(task.primaryMetric).toBe('entity_macro_f1');
    expectClose(taskMetrics({ task, predictions: { kind: 'token-classification', gold: c.gold, predicted: c.predicted, chars } }), c.expected);
  });

  it.each(golden.cases.filter((c) => c.task === 'klue-sts').map((c) => [c.name, c] as const))('STS: %s', (_name, c) => {
    const task = getTask('klue-sts');
    const metrics = taskMetrics({ task, predictions: { kind: 'regression', gold: c.gold, predicted: c.predicted, goldBinary: c.goldBinary } });
    expectClose(metrics, c.expected);
    // Without the binary labels, real-label ≥ 3 gives the same F1 (KLUE defines the binary label that way).
    expectClose(taskMetrics({ task, predictions: { kind: 'regression', gold: c.gold, predicted: c.predicted } }), { f1: c.expected.f1 });
  });

  it('leaving spaces out matters: a space tagged inside an entity does not split it', () => {
    const labels = KLUE_NER_LABELS;
    const id = (tag: string) => labels.indexOf(tag as (typeof KLUE_NER_LABELS)[number]);
    const chars = [[...'김 철수']];
    const gold = [['B-PS', 'I-PS', 'I-PS', 'I-PS'].map(id)];
    const predicted = [['B-PS', 'O', 'I-PS', 'I-PS'].map(id)];
    expect(klueNerScores({ chars, gold, predicted, labels }).entity_macro_f1).toBe(1);
    const noSpaces = [[...'김x철수']];
    expect(klueNerScores({ chars: noSpaces, gold, predicted, labels }).entity_macro_f1).toBe(0);
  });
});
