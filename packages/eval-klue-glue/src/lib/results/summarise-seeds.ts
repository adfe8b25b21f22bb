import { meanStd } from '../data/mean-std';
import type { MetricValues } from '../metrics/task-metrics';
import type { MetricName } from '../tasks/task-registry';
import type { TaskResult } from './task-result';

/**
 * Per metric, every seed's value and their mean ± std. A seed whose metric is NaN (or missing) stays in `values` as
 * NaN and makes mean and std NaN, with a note naming the seeds — never silently dropped.
 */
export function summariseSeeds(params: { metrics: readonly MetricName[]; seeds: readonly number[]; seedMetrics: readonly MetricValues[] }): {
  metrics: TaskResult['metrics'];
  notes: string[];
} {
  const { seeds, seedMetrics } = params;
  const metrics: TaskResult['metrics'] = {};
  const notes: string[] = [];
  for (const metric of params.metrics) {
    const values = seedMetrics.map((m) => m[metric] ?? Number.NaN);
    metrics[metric] = { ...meanStd(values), values };
    const nanSeeds = seeds.filter((_, i) => Number.isNaN(values[i]));
    if (nanSeeds.length > 0) notes.push(`${metric} is NaN for seed${nanSeeds.length > 1 ? 's' : ''} ${nanSeeds.join(', ')} (kept in values; mean and std are NaN)`);
  }
  return { metrics, notes };
}
