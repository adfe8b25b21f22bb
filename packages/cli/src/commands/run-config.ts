import { z } from 'zod';
import { TASK_NAMES } from '@koenbert/eval-klue-glue';

/** The models run scores besides the distilled one (named by the config's `name`). */
export const RUN_MODELS = ['teacher-ko', 'teacher-en', 'merged-init'] as const;

const section = (what: string) => z.record(z.string(), z.unknown()).default({}).describe(`options of the ${what} stage (its config keys; paths that run fills in may be overridden)`);

/**
 * `koenbert run`: the whole pipeline from one file. The stage sections are validated by the stages' own schemas after
 * run fills in the paths that connect them (output folders under `output`), all before the first stage starts.
 */
export const RunConfigSchema = z
  .strictObject({
    output: z.string().min(1).describe('work folder: merged-tokenizer/, student-init/, <name>/, eval/, report/ go below it'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
      .default('koenbert')
      .describe("the distilled model's name: its folder under output and its row in the report"),
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
        models: z.array(z.string()).optional().describe(`models to score: ${RUN_MODELS.join(', ')} and the distilled model's name (default: all four)`),
        options: z.record(z.string(), z.unknown()).default({}).describe('eval options shared by every task (cv, limit, dataDir, seeds, …)'),
        taskOptions: z
          .partialRecord(z.enum(TASK_NAMES), z.record(z.string(), z.unknown()))
          .default({})
          .describe('per-task eval options over the shared ones, e.g. klue-ner: { maxLength: 128 }'),
      })
      .describe('which models and tasks to evaluate'),
  })
  .superRefine((config, ctx) => {
    const known = [...RUN_MODELS, config.name];
    (config.eval.models ?? []).forEach((model, i) => {
      if (!known.includes(model)) ctx.addIssue({ code: 'custom', path: ['eval', 'models', i], message: `expected one of ${known.join(', ')}, got "${model}"` });
    });
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
