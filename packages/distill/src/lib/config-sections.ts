import { z } from 'zod';
import { HubConfigSchema } from '@koenbert/tensor-utils';

/** Config pieces the distill and pretrain-mlm schemas share (same keys, same help text, so the CLI flags match). */
export const positiveInt = () => z.number().int().positive();

export function checkpointSection(defaultEvery: number) {
  return z
    .strictObject({
      every: positiveInt().default(defaultEvery).describe('write a checkpoint every N steps (and at the end, and on SIGINT/SIGTERM)'),
      keep: positiveInt().default(2).describe('checkpoints kept (oldest removed)'),
    })
    .prefault({});
}

/** The bound on one corpus record (see CorpusStream); the same key and help in both trainers. */
export function maxLineBytesField() {
  return z
    .number()
    .int()
    .min(16)
    .default(1 << 20)
    .describe('longest corpus line in UTF-8 bytes: longer .txt lines are split, longer JSONL/TSV/parquet records skipped (counted in the log)');
}

/** The `hub` section: tensor-utils' HubConfigSchema, every field optional (environment defaults). */
export function hubSection() {
  return HubConfigSchema.prefault({});
}
