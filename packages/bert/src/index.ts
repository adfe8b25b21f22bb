export { parseBertConfig, readBertConfig, writeBertConfig, HIDDEN_ACTS, type BertConfig, type HiddenAct } from './lib/bert-config';
export { BERT_TASKS, ARCHITECTURE, type BertTask } from './lib/bert-task';
export { BertModel, type BertForwardParams, type BertOutput } from './lib/bert-model';
export { bertParamShapes } from './lib/bert-param-shapes';
export { type LoadReport } from './lib/map-checkpoint';
export { checkPretrainedWeights } from './lib/pretrained-checks';
export { type MismatchedHead } from './lib/pretrained-head-mismatch';
export { crossEntropyLoss, mseLoss } from './lib/losses';
export { estimateTrainingMemory, ACTIVATION_COEFFICIENTS, type BertSizes, type TrainingMemoryParams, type TrainingMemoryEstimate } from './lib/estimate-training-memory';
