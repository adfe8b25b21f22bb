import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { distillConfigSchema, PretrainMlmConfigSchema } from '@koenbert/distill';
import { InitEmbeddingsConfigSchema } from '@koenbert/embed-init';
import { EvalConfigSchema } from '@koenbert/eval-klue-glue';
import { MergeVocabsConfigSchema } from '@koenbert/tokenizer-merge';
import { optionsTable, RunConfigSchema } from '../src/index';

const README = path.resolve(__dirname, '../README.md');
const TABLES: Record<string, z.ZodType> = {
  'merge-vocab': MergeVocabsConfigSchema,
  'init-embeddings': InitEmbeddingsConfigSchema,
  distill: distillConfigSchema('default'),
  eval: EvalConfigSchema,
  'pretrain-mlm': PretrainMlmConfigSchema,
  run: RunConfigSchema,
};

/** The README's option tables are generated from the schemas; `UPDATE_README=1 npx jest test/readme.test.ts` rewrites them. */
describe('README option tables', () => {
  it.each(Object.keys(TABLES))('%s matches its schema', async (name) => {
    let text = await fs.readFile(README, 'utf8');
    const begin = `<!-- options:${name} -->`;
    const end = `<!-- /options:${name} -->`;
    const start = text.indexOf(begin);
    const stop = text.indexOf(end);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(stop).toBeGreaterThan(start);
    const expected = `${begin}\n${optionsTable(TABLES[name])}\n${end}`;
    if (process.env.UPDATE_README) {
      await fs.writeFile(README, text.slice(0, start) + expected + text.slice(stop + end.length));
      return;
    }
    expect(text.slice(start, stop + end.length)).toBe(expected);
  });
});
