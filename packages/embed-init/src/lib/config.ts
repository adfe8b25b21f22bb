import { z } from 'zod';
import { HubConfigSchema, parseWithSchema } from '@koenbert/tensor-utils';
import { METHODS } from './fit-method';
import { DEFAULT_MLP_OPTIONS } from './strategies/mlp';
import { DEFAULT_RIDGE_ALPHAS } from './strategies/ridge';

const method = z.enum(METHODS);

/** Everything `initEmbeddings` needs; the defaults here are the only ones (the CLI turns the fields into flags). */
export const InitEmbeddingsConfigSchema = z.strictObject({
  korean: z.string().min(1).describe('Korean BERT to grow: HF folder or Hub id (config.json + model.safetensors or pytorch_model.bin)'),
  english: z.string().min(1).describe('English BERT whose input embeddings are mapped: HF folder or Hub id'),
  tokenizer: z.string().min(1).describe('merged tokenizer folder from merge-vocab (tokenizer files + merge-map.json)'),
  output: z.string().min(1).describe('folder to write the grown Korean model to (built in a temp folder, then renamed into place)'),
  overwrite: z.boolean().default(false).describe('replace the output folder if it exists'),
  method: method.default('ridge').describe(`how the new rows are initialised: ${METHODS.join(', ')}`),
  compare: z
    .array(method)
    .default(['ridge', 'lstsq', 'procrustes', 'mean', 'subword-mean'])
    .describe('methods scored on the held-out pairs in the report (the chosen method always is)'),
  heldOut: z.number().gt(0).lt(1).default(0.2).describe('share of the pairs held out to score the methods'),
  dropNonWord: z.boolean().default(false).describe('leave tokens made only of digits, punctuation and symbols out of the pairs'),
  nnQueries: z.number().int().positive().default(2000).describe('held-out pairs used as nearest-neighbour queries'),
  seed: z.number().int().default(0).describe('seed of the held-out split, the CV folds, the MLP and the noise of mean'),
  subwordTokenizer: z
    .string()
    .min(1)
    .optional()
    .describe('tokenizer for subword-mean, with the Korean vocab (default: the merged tokenizer restricted to the Korean ids)'),
  ridge: z
    .strictObject({
      alphas: z.array(z.number().positive()).min(1).default(DEFAULT_RIDGE_ALPHAS).describe('λ grid as multiples of the mean eigenvalue of the centred XᵀX'),
      folds: z.number().int().min(2).default(5).describe('cross-validation folds for choosing λ'),
      lambda: z.number().min(0).optional().describe('use this λ (absolute) instead of cross-validation'),
    })
    .prefault({})
    .describe('ridge options'),
  procrustes: z
    .strictObject({
      scale: z.boolean().default(true).describe('fit a global scale with the orthogonal map'),
    })
    .prefault({})
    .describe('procrustes options'),
  mlp: z
    .strictObject({
      hidden: z.number().int().positive().default(DEFAULT_MLP_OPTIONS.hidden).describe('hidden units'),
      maxEpochs: z.number().int().positive().default(DEFAULT_MLP_OPTIONS.maxEpochs).describe('epochs at most'),
      batchSize: z.number().int().positive().default(DEFAULT_MLP_OPTIONS.batchSize).describe('pairs per step'),
      learningRate: z.number().positive().default(DEFAULT_MLP_OPTIONS.learningRate).describe('Adam learning rate'),
      patience: z.number().int().positive().default(DEFAULT_MLP_OPTIONS.patience).describe('epochs without a better validation loss before stopping'),
      validationFraction: z.number().gt(0).lt(1).default(DEFAULT_MLP_OPTIONS.validationFraction).describe('share of the training pairs used for early stopping'),
    })
    .prefault({})
    .describe('mlp options'),
  mean: z
    .strictObject({
      noise: z.number().min(0).default(0.02).describe('noise std as a multiple of each dimension’s std'),
    })
    .prefault({})
    .describe('mean options'),
  ...HubConfigSchema.omit({ timeoutSeconds: true }).shape,
});

export type InitEmbeddingsConfig = z.infer<typeof InitEmbeddingsConfigSchema>;
export type InitEmbeddingsConfigInput = z.input<typeof InitEmbeddingsConfigSchema>;

/** Validates a config (defaults filled in, absent sections too); an error names the field. */
export function parseInitEmbeddingsConfig(input: unknown, file?: string): InitEmbeddingsConfig {
  return parseWithSchema(InitEmbeddingsConfigSchema, input, file);
}
