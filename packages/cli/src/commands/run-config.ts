import { z } from 'zod';
import { TASK_NAMES } from '@koenbert/eval-klue-glue';

export const RUN_MODELS = ['teacher-ko', 'teacher-en', 'merged-init', 'koenbert-small'] as const;

const section = (what: string) => z.record(z.string(), z.unknown()).default({}).describe(`options of the ${what} stage (its config keys; paths that run fills in may be overridden)`);

/**
 * `koenbert run`: the whole pipeline from one file. The stage sections are validated by the stages' own schemas after
 * run fills in the paths that connect them (output folders under `output`).
 */
export const RunConfigSchema = z.strictObject({
  output: z.string().min(1).describe('work folder: merged-tokenizer/, student-init/, koenbert-small/, eval/, report/ go below it'),
  korean: z.string().min(1).describe('Korean teacher BERT: folder or Hub id (e.g. klue/bert-base)'),
  english: z.string().min(1).describe('English teacher BERT: folder or Hub id (e.g. bert-base-uncased)'),
  koreanTokenizer: z.string().min(1).optional().describe('Korean tokenizer (default: the Korean teacher)'),
  englishTokenizer: z.string().min(1).optional().describe('English tokenizer (default: the English teacher)'),
  offline: z.boolean().default(false).describe('use only local folders and the Hub cache'),
  mergeVocab: section('merge-vocab'),
  initEmbeddings: section('init-embeddings'),
  distill: section('distill'),
  eval: z
    .strictObject({
      tasks: z.array(z.enum(TASK_NAMES)).default([...TASK_NAMES]).describe('tasks to score every model on'),
      models: z.array(z.enum(RUN_MODELS)).default([...RUN_MODELS]).describe(`models to score: ${RUN_MODELS.join(', ')}`),
      options: z.record(z.string(), z.unknown()).default({}).describe('eval options shared by every task (cv, limit, dataDir, seeds, …)'),
      taskOptions: z
        .partialRecord(z.enum(TASK_NAMES), z.record(z.string(), z.unknown()))
        .default({})
        .describe('per-task eval options over the shared ones, e.g. klue-ner: { maxLength: 128 }'),
    })
    .describe('which models and tasks to evaluate'),
});

export type RunConfig = z.infer<typeof RunConfigSchema>;

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }` (arrays and other values kept whole). */
export function flattenKeys(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) Object.assign(out, flattenKeys(item as Record<string, unknown>, dotted));
    else out[dotted] = item;
  }
  return out;
}
