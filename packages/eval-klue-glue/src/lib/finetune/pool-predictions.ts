import type { TaskPredictions } from '../metrics/task-metrics';

/** Held-out predictions of several folds put back into the order of the whole set (cv mode scores them together). */
export function poolPredictions(params: { size: number; parts: Array<{ indices: readonly number[]; predictions: TaskPredictions }> }): TaskPredictions {
  const { size, parts } = params;
  const kind = parts[0].predictions.kind;
  const gold: unknown[] = new Array(size);
  const predicted: unknown[] = new Array(size);
  for (const { indices, predictions } of parts) {
    indices.forEach((target, i) => {
      gold[target] = predictions.gold[i];
      predicted[target] = predictions.predicted[i];
    });
  }
  return { kind, gold, predicted } as TaskPredictions;
}
