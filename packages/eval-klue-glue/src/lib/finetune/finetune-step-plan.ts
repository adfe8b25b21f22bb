import { trainingStepNeed, type BertSizes } from '@koenbert/bert';
import type { PlannedStep } from '@koenbert/tensor-utils';
import type { TaskSpec } from '../tasks/task-registry';
import { bertTaskOf } from './bert-task-of';

/**
 * The fine-tuning step of `task` for checkStepMemory and the out-of-memory message: `batchSize` examples of up to
 * `maxLength` tokens (batches are padded to their longest example: the worst case), run in micro-batches of
 * `microBatchSize`. `settingName` names a setting in messages: eval's config key by default (the CLI passes its flags).
 */
export function finetuneStepPlan(params: {
  model: BertSizes;
  task: TaskSpec;
  batchSize: number;
  maxLength: number;
  microBatchSize?: number;
  settingName?: (key: string) => string;
}): PlannedStep {
  const { model, task, batchSize, settingName: name = (key) => key } = params;
  const { bertTask, numLabels } = bertTaskOf(task);
  const micro = Math.min(params.microBatchSize ?? batchSize, batchSize);
  return {
    what: `eval ${task.name}`,
    size: { batchSize: micro, seqLength: params.maxLength, gradAccumulation: Math.ceil(batchSize / micro) },
    estimate: (size) => trainingStepNeed({ model, task: bertTask, numLabels, ...size }),
    options: { batchSize: name('batchSize'), seqLength: name('maxLength'), microBatchSize: name('microBatchSize') },
  };
}
