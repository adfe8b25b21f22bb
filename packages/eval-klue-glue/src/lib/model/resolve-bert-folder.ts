import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KoenbertError, resolveModelDir, type HubOptions } from '@koenbert/tensor-utils';

const TOKENIZER_FILES = ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'];

/**
 * The folder (local, or the Hub snapshot in the HF cache) with the model's config.json and tokenizer files, after
 * checking that config.json describes a BERT: `model_type` "bert" (or, without model_type, Bert* architectures).
 * The weights are loaded separately by BertModel.fromPretrained from the same folder or Hub id.
 */
export async function resolveBertFolder(params: { model: string } & HubOptions): Promise<{ dir: string; config: Record<string, unknown> }> {
  const { model, ...hub } = params;
  const dir = await resolveModelDir({ repoOrPath: model, files: ['config.json'], optionalFiles: TOKENIZER_FILES, ...hub });
  const file = path.join(dir, 'config.json');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new KoenbertError({ code: 'MODEL_INVALID', file, message: `not valid JSON (${(error as Error).message})`, cause: error });
  }
  const modelType = config.model_type;
  const architectures = Array.isArray(config.architectures) ? (config.architectures as unknown[]).map(String) : [];
  const notBert =
    modelType !== undefined ? modelType !== 'bert' : architectures.length > 0 && !architectures.some((name) => name.startsWith('Bert'));
  if (notBert) {
    const what = modelType !== undefined ? `model_type "${String(modelType)}"` : `architectures ${architectures.join(', ')}`;
    throw new KoenbertError({ code: 'MODEL_NOT_BERT', file, message: `${what} is not BERT (this harness fine-tunes BERT-architecture models: model_type "bert")` });
  }
  return { dir, config };
}
