import type { MetricName } from '../tasks/task-registry';

export const METRIC_LABELS: Record<MetricName, string> = {
  macro_f1: 'macro F1',
  accuracy: 'accuracy',
  f1: 'F1',
  pearson: 'Pearson r',
  spearman: 'Spearman ρ',
  entity_f1: 'entity F1',
  entity_macro_f1: 'entity macro F1',
  char_macro_f1: 'char macro F1',
};

/** A score as the papers print it: ×100 with two decimals (NaN → "n/a"). */
export function formatScore(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : (value * 100).toFixed(2);
}

/** `mean ± std` over seeds (just the mean for one seed). */
export function formatMeanStd(summary: { mean: number; std: number; values: number[] } | undefined): string {
  if (!summary) return 'n/a';
  return summary.values.length > 1 ? `${formatScore(summary.mean)} ± ${formatScore(summary.std)}` : formatScore(summary.mean);
}
