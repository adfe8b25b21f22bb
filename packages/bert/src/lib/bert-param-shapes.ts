import type { BertConfig } from './bert-config';
import { encoderPrefix, hasClassifier, hasPooler, type BertTask } from './bert-task';

/**
 * Every parameter of the transformers class for `task`, by its state-dict name, in state-dict order, with its shape.
 * Linear weights are [out, in] as torch stores them.
 */
export function bertParamShapes(params: { config: BertConfig; task: BertTask; numLabels: number }): Map<string, number[]> {
  const { config, task, numLabels } = params;
  const h = config.hidden_size;
  const p = encoderPrefix(task);
  const shapes = new Map<string, number[]>();
  const linear = (name: string, out: number, inp: number) => {
    shapes.set(`${name}.weight`, [out, inp]);
    shapes.set(`${name}.bias`, [out]);
  };
  const layerNorm = (name: string) => {
    shapes.set(`${name}.weight`, [h]);
    shapes.set(`${name}.bias`, [h]);
  };
  shapes.set(`${p}embeddings.word_embeddings.weight`, [config.vocab_size, h]);
  shapes.set(`${p}embeddings.position_embeddings.weight`, [config.max_position_embeddings, h]);
  shapes.set(`${p}embeddings.token_type_embeddings.weight`, [config.type_vocab_size, h]);
  layerNorm(`${p}embeddings.LayerNorm`);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const layer = `${p}encoder.layer.${i}`;
    linear(`${layer}.attention.self.query`, h, h);
    linear(`${layer}.attention.self.key`, h, h);
    linear(`${layer}.attention.self.value`, h, h);
    linear(`${layer}.attention.output.dense`, h, h);
    layerNorm(`${layer}.attention.output.LayerNorm`);
    linear(`${layer}.intermediate.dense`, config.intermediate_size, h);
    linear(`${layer}.output.dense`, h, config.intermediate_size);
    layerNorm(`${layer}.output.LayerNorm`);
  }
  if (hasPooler(task)) linear(`${p}pooler.dense`, h, h);
  if (task === 'masked-lm') {
    shapes.set('cls.predictions.bias', [config.vocab_size]);
    linear('cls.predictions.transform.dense', h, h);
    layerNorm('cls.predictions.transform.LayerNorm');
  }
  if (hasClassifier(task)) linear('classifier', numLabels, h);
  return shapes;
}
