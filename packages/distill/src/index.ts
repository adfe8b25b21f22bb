// Stage API: config, the iterator of typed events, and the drain-it-all wrapper.
export {
  DistillConfigSchema,
  distillConfigSchema,
  parseDistillConfig,
  resolveDistillConfig,
  DISTILL_PRESETS,
  type DistillConfig,
  type DistillConfigInput,
  type DistillPreset,
} from './lib/config';
export {
  distillIter,
  defaultTeacherLayer,
  DISTILL_LOG,
  type DistillEvent,
  type DistillOptions,
} from './lib/train/distill-iter';
export { distill, type DistillResult } from './lib/distill';
export { distillStepPlan } from './lib/train/distill-step-plan';
// What both trainers' events and options share (distillIter, pretrainMlmIter).
export type { StepProgress, TrainerOptions, TrainingRunEvent } from './lib/train/training-run';
export type { Language } from './lib/data/detect-language';

// The relation loss (usable on its own).
export {
  minilmV2RelationLoss,
  teacherRelations,
  type QkvTensors,
  type RelationLoss,
  type RelationType,
  type RelationWeights,
  type TeacherRelations,
} from './lib/losses/minilm-v2';
export { heldOutRelationLoss, type HeldOutRelationLoss } from './lib/losses/held-out-relation-loss';

// Checkpoints and reports.
export { latestCheckpoint, readCheckpointState, CHECKPOINT_FORMAT, type CheckpointState } from './lib/train/checkpoint';

// MLM pretraining of small teachers (a fresh BERT from a WordPiece tokenizer and a text corpus).
export {
  PretrainMlmConfigSchema,
  resolvePretrainMlmConfig,
  type PretrainMlmConfig,
  type PretrainMlmConfigInput,
} from './lib/pretrain/pretrain-mlm-config';
export {
  pretrainMlmIter,
  PRETRAIN_LOG,
  type PretrainMlmEvent,
  type PretrainMlmOptions,
} from './lib/pretrain/pretrain-mlm-iter';
export { pretrainMlm, type PretrainMlmResult } from './lib/pretrain/pretrain-mlm';
export { pretrainStepPlan } from './lib/pretrain/pretrain-step-plan';
export { maskTokens, type MaskedTokens } from './lib/pretrain/mask-tokens';
