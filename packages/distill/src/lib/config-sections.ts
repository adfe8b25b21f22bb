import { z } from 'zod';

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

export function hubSection() {
  return z
    .strictObject({
      revision: z.string().optional().describe('Hub revision for Hub ids'),
      offline: z.boolean().optional().describe('use only the local Hub cache (default: HF_HUB_OFFLINE)'),
      cacheDir: z.string().optional().describe('Hub cache folder (default: HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)'),
      hubUrl: z.string().optional().describe('Hub endpoint (default: HF_ENDPOINT or https://huggingface.co)'),
      timeoutSeconds: z.number().positive().optional().describe('seconds a Hub request or a stalled download may wait (default: HF_HUB_DOWNLOAD_TIMEOUT or 60)'),
    })
    .prefault({});
}
