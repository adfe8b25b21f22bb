import type { TaskPredictions } from '../metrics/task-metrics';

/** Held-out predictions of several folds put back into the order of the whole set (cv mode scores them together). */
export function poolPredictions(params: { size: number; parts: Array<{ indices: readonly number[]; predictions: TaskPredictions }> }): TaskPredictions {
  const { size, parts } = params;
  const kind = parts[0].predictions.kind;
  const pooled: Record<string, unknown[]> = { gold: new Array(size), predicted: new Array(size) };
  // Side fields the official scoring needs (NER characters, STS binary labels) travel with gold and predictions.
  for (const field of ['chars', 'goldBinary'] as const) {
    if (parts.every((part) => (part.predictions as Record<string, unknown>)[field] !== undefined)) pooled[field] = new Array(size);
  }
  for (const { indices, predictions } of parts) {
    const source = predictions as unknown as Record<string, unknown[]>;
    indices.forEach((target, i) => {
      for (const field of Object.keys(pooled)) pooled[field][target] = source[field][i];
    });
  }
  return { kind, ...pooled } as TaskPredictions;
}
