import { z } from 'zod';

/**
 * The Hub fields of a stage's config — HubOptions without the run-time token and fetch — declared once, with their
 * `--help` text: a stage spreads `HubConfigSchema.shape` (or a `pick` / `omit` of it) into its schema, distill nests the
 * whole object as its `hub` section. Fields left unset take resolveHubSettings' environment defaults.
 */
export const HubConfigSchema = z.strictObject({
  revision: z.string().optional().describe('Hub revision (for Hub ids)'),
  offline: z.boolean().optional().describe('use only the local Hub cache (default: HF_HUB_OFFLINE)'),
  cacheDir: z.string().optional().describe('Hub cache folder (default: HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)'),
  hubUrl: z.string().optional().describe('Hub endpoint (default: HF_ENDPOINT or https://huggingface.co)'),
  timeoutSeconds: z.number().positive().optional().describe('seconds a Hub request or a stalled download may wait (default: HF_HUB_DOWNLOAD_TIMEOUT or 60)'),
});

export type HubConfig = z.infer<typeof HubConfigSchema>;
