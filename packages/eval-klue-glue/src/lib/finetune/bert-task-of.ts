import type { BertTask } from '@koenbert/bert';
import type { TaskSpec } from '../tasks/task-registry';

/** The BERT head a task fine-tunes and its output size (1 for regression, as transformers' num_labels=1). */
export function bertTaskOf(task: TaskSpec): { bertTask: BertTask; numLabels: number } {
  if (task.kind === 'token-classification') return { bertTask: 'token-classification', numLabels: task.labels.length };
  return { bertTask: 'sequence-classification', numLabels: task.kind === 'regression' ? 1 : task.labels.length };
}
