// Stage API: config, the iterator of typed events, and the drain-it-all wrapper.
export {
  DistillConfigSchema,
  distillConfigSchema,
  parseDistillConfig,
  resolveDistillConfig,
  mixProbability,
  DISTILL_PRESETS,
  PRESET_DEFAULTS,
  type DistillConfig,
  type DistillConfigInput,
  type DistillPreset,
} from './lib/config';
export {
  distillIter,
  defaultTeacherLayer,
  DISTILL_LOG,
  DISTILL_CONFIG_FILE,
  LOSS_CURVE_FILE,
  type DistillEvent,
  type DistillOptions,
  type DistillTrainingState,
} from './lib/train/distill-iter';
export { distill, type DistillResult } from './lib/distill';

// The relation loss (usable on its own).
export {
  minilmV2RelationLoss,
  teacherRelations,
  RELATION_TYPES,
  type QkvTensors,
  type RelationLoss,
  type RelationType,
  type RelationWeights,
  type TeacherRelations,
} from './lib/losses/minilm-v2';
export { heldOutRelationLoss, type HeldOutRelationLoss } from './lib/losses/held-out-relation-loss';

// Data pipeline pieces (for benchmarks and other trainers).
export { listCorpusFiles, corpusFormatOf, type CorpusFile, type CorpusFormat } from './lib/data/corpus-files';
export { readCorpusRecords } from './lib/data/read-corpus-records';
export { CorpusStream, type CorpusSourceSpec, type CorpusStreamState } from './lib/data/corpus-stream';
export { detectLanguage, type Language } from './lib/data/detect-language';
export { packSequence, type AlignedTokens, type PackerState, type SpecialIds } from './lib/data/packing';
export { LanguageBatches, type TokenBatch, type LanguageDataState } from './lib/data/language-batches';
export { languageForStep, englishProbability, parseMixSchedule, type MixPoint } from './lib/data/language-mixer';

// Checkpoints and reports.
export { writeCheckpoint, restoreCheckpoint, latestCheckpoint, readCheckpointState, CHECKPOINT_FORMAT, type CheckpointState } from './lib/train/checkpoint';
export { lossCurveSvg, type CurveSeries } from './lib/report/loss-curve-svg';
export { writeLossCurve } from './lib/report/write-loss-curve';

// MLM pretraining of small teachers (a fresh BERT from a WordPiece tokenizer and a text corpus).
export {
  PretrainMlmConfigSchema,
  parsePretrainMlmConfig,
  resolvePretrainMlmConfig,
  type PretrainMlmConfig,
  type PretrainMlmConfigInput,
} from './lib/pretrain/pretrain-mlm-config';
export {
  pretrainMlmIter,
  PRETRAIN_LOG,
  PRETRAIN_CONFIG_FILE,
  PRETRAIN_LOSS_CURVE,
  PRETRAIN_TOKENIZER_FILES,
  type PretrainMlmEvent,
  type PretrainMlmOptions,
  type PretrainMlmTrainingState,
} from './lib/pretrain/pretrain-mlm-iter';
export { pretrainMlm, type PretrainMlmResult } from './lib/pretrain/pretrain-mlm';
export { maskTokens, type MaskedTokens } from './lib/pretrain/mask-tokens';
export { isHeldOutLine, readHeldOutLines } from './lib/pretrain/held-out-lines';
export { MlmBatches, padBatch, type IdBatch, type MlmDataState } from './lib/pretrain/mlm-batches';
