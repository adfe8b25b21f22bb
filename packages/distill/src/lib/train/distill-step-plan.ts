import { trainingStepNeed, type BertSizes } from '@koenbert/bert';
import type { PlannedStep } from '@koenbert/tensor-utils';
import type { DistillConfig } from '../config';

/**
 * The distill step for checkStepMemory and the out-of-memory message: the student (trained) and the teachers of the
 * languages with text (inference only), at the configured micro-batch, length and accumulation. `settingName` names
 * a setting in messages: a config key by default (the CLI passes its flags).
 */
export function distillStepPlan(params: { config: DistillConfig; student: BertSizes; teachers: BertSizes[]; settingName?: (key: string) => string }): PlannedStep {
  const { config, student, teachers, settingName: name = (key) => key } = params;
  return {
    what: 'distill',
    size: { batchSize: config.optim.batchSize, seqLength: config.data.maxLength, gradAccumulation: config.optim.gradAccumulation },
    estimate: (size) =>
      trainingStepNeed({ model: student, task: 'base', ...size, dropout: config.optim.studentDropout, teachers, relationHeads: config.loss.relationHeads }),
    options: { batchSize: name('optim.batchSize'), seqLength: name('data.maxLength'), gradAccumulation: name('optim.gradAccumulation') },
  };
}
