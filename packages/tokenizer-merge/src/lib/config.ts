import { z } from 'zod';
import { HubConfigSchema, parseWithSchema } from '@koenbert/tensor-utils';

/** Everything `mergeVocabs` needs; defaults here are the only ones (the CLI turns the fields into flags). */
export const MergeVocabsConfigSchema = z.strictObject({
  korean: z.string().min(1).describe('Korean tokenizer whose ids are kept: HF folder or Hub id (tokenizer.json, or vocab.txt + tokenizer_config.json)'),
  english: z.string().min(1).describe('English WordPiece tokenizer whose missing tokens are appended: HF folder or Hub id'),
  output: z.string().min(1).describe('folder to write the merged tokenizer to (built in a temp folder, then renamed into place)'),
  overwrite: z.boolean().default(false).describe('replace the output folder if it exists'),
  koreanText: z
    .array(z.string().min(1))
    .default([])
    .describe('Korean text for the invariants: file.txt (one sentence per line), file.tsv#2 (column 2) or file.tsv#name (header column)'),
  englishText: z.array(z.string().min(1)).default([]).describe('English text for the invariants, same syntax as koreanText'),
  maxSentencesPerSource: z.number().int().positive().default(2000).describe('sentences sampled evenly from each text source'),
  examplesPerCategory: z.number().int().min(0).max(100).default(5).describe('failing sentences shown per failure category'),
  verifyRoundTrip: z.boolean().default(true).describe('reload the written tokenizer.json with HF tokenizers and compare ids with the TypeScript encoder on the measured text'),
  ...HubConfigSchema.omit({ timeoutSeconds: true }).shape,
});

export type MergeVocabsConfig = z.infer<typeof MergeVocabsConfigSchema>;
export type MergeVocabsConfigInput = z.input<typeof MergeVocabsConfigSchema>;

/** Validates a config (defaults filled in); an error names the field and, when given, the file it came from. */
export function parseMergeVocabsConfig(input: unknown, file?: string): MergeVocabsConfig {
  return parseWithSchema(MergeVocabsConfigSchema, input, file);
}
