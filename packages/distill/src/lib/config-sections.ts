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

export function hubSection() {
  return z
    .strictObject({
      revision: z.string().optional().describe('Hub revision for Hub ids'),
      offline: z.boolean().optional().describe('use only the local Hub cache (default: HF_HUB_OFFLINE)'),
      cacheDir: z.string().optional().describe('Hub cache folder (default: HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)'),
      hubUrl: z.string().optional().describe('Hub endpoint (default: HF_ENDPOINT or https://huggingface.co)'),
    })
    .prefault({});
}
