import { trainingStepNeed, type BertSizes } from '@koenbert/bert';
import type { PlannedStep } from '@koenbert/tensor-utils';
import type { PretrainMlmConfig } from './pretrain-mlm-config';

/**
 * The pretrain-mlm step for checkStepMemory and the out-of-memory message: a fresh BERT of the configured size with
 * the tokenizer's `vocabSize`. `settingName` names a setting in messages: a config key by default (the CLI passes its
 * flags).
 */
export function pretrainStepPlan(params: { config: PretrainMlmConfig; vocabSize: number; settingName?: (key: string) => string }): PlannedStep {
  const { config, vocabSize, settingName: name = (key) => key } = params;
  const m = config.model;
  const model: BertSizes = {
    vocab_size: vocabSize,
    hidden_size: m.hiddenSize,
    num_hidden_layers: m.numLayers,
    num_attention_heads: m.numHeads,
    intermediate_size: m.intermediateSize ?? 4 * m.hiddenSize,
    max_position_embeddings: Math.max(512, config.data.maxLength),
    type_vocab_size: 2,
  };
  return {
    what: 'pretrain-mlm',
    size: { batchSize: config.optim.batchSize, seqLength: config.data.maxLength, gradAccumulation: 1 },
    estimate: (size) => trainingStepNeed({ model, task: 'masked-lm', ...size, dropout: m.dropout > 0, mlmPositionsShare: config.masking.probability }),
    options: { batchSize: name('optim.batchSize'), seqLength: name('data.maxLength') },
  };
}
