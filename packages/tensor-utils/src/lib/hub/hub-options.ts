import os from 'node:os';
import path from 'node:path';
import { KoenbertError } from '../errors';
import { checkRevision } from './hub-cache';

export type RepoType = 'model' | 'dataset';

/** How to reach the Hub; every field has an environment default (see resolveHubSettings). */
export interface HubOptions {
  /** Branch, tag or commit id. Default `main`. */
  revision?: string;
  /** Default: HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN). */
  token?: string;
  /** Resolve from the cache only. Default: HF_HUB_OFFLINE=1. */
  offline?: boolean;
  /** Default: HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Default: HF_ENDPOINT, else https://huggingface.co. */
  hubUrl?: string;
  /**
   * Seconds a Hub request may wait for its answer, or a download for its next bytes, before it fails.
   * Default: HF_HUB_DOWNLOAD_TIMEOUT, else 60.
   */
  timeoutSeconds?: number;
  fetch?: typeof fetch;
}

export const DEFAULT_HUB_TIMEOUT_SECONDS = 60;

export interface HubSettings {
  revision: string;
  token?: string;
  offline: boolean;
  cacheDir: string;
  hubUrl: string;
  timeoutSeconds: number;
  fetch: typeof fetch;
}

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);

/** The HF-layout cache folder the Python libraries also use. */
export function defaultHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return path.join(env.HF_HOME, 'hub');
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'huggingface', 'hub');
}

/** Options over environment over defaults. */
export function resolveHubSettings(options: HubOptions, env: NodeJS.ProcessEnv = process.env): HubSettings {
  const token = options.token ?? env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  if (token !== undefined && !token.startsWith('hf_')) {
    throw new KoenbertError({
      code: 'HUB_BAD_TOKEN',
      message: `the Hub token ${options.token !== undefined ? '(token option)' : '(HF_TOKEN)'} must start with "hf_"`,
    });
  }
  const revision = options.revision ?? 'main';
  checkRevision(revision);
  const timeoutSeconds = options.timeoutSeconds ?? (env.HF_HUB_DOWNLOAD_TIMEOUT ? Number(env.HF_HUB_DOWNLOAD_TIMEOUT) : DEFAULT_HUB_TIMEOUT_SECONDS);
  if (!(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds)) {
    throw new KoenbertError({
      code: 'HUB_BAD_TIMEOUT',
      message: `the Hub timeout ${options.timeoutSeconds !== undefined ? '(timeoutSeconds)' : '(HF_HUB_DOWNLOAD_TIMEOUT)'} must be a positive number of seconds`,
    });
  }
  return {
    revision,
    timeoutSeconds,
    token: token || undefined,
    offline: options.offline ?? TRUE_VALUES.has((env.HF_HUB_OFFLINE ?? '').toLowerCase()),
    cacheDir: options.cacheDir ?? defaultHubCacheDir(env),
    hubUrl: (options.hubUrl ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    fetch: options.fetch ?? fetch,
  };
}

/** A stage config's Hub fields plus the run-time ones (a token, a fetch for tests) as HubOptions. */
export function hubOptionsOf(
  config: Pick<HubOptions, 'revision' | 'offline' | 'cacheDir' | 'hubUrl' | 'timeoutSeconds'>,
  runtime: { hubToken?: string; fetch?: typeof fetch } = {},
): HubOptions {
  return {
    revision: config.revision,
    offline: config.offline,
    cacheDir: config.cacheDir,
    hubUrl: config.hubUrl,
    timeoutSeconds: config.timeoutSeconds,
    token: runtime.hubToken,
    fetch: runtime.fetch,
  };
}
