import { resolveModelDir, type HubOptions } from '@koenbert/tensor-utils';
import { TOKENIZER_FILES } from './read-tokenizer-dir';

/** Hub options for loading a tokenizer by Hub id (revision, token, offline, cacheDir, hubUrl, fetch). */
export type TokenizerHubOptions = HubOptions;

/**
 * A local folder is used as is; a Hub id (`owner/name`) has whichever tokenizer files it holds downloaded
 * into the HF cache, and the snapshot folder is returned (resolveModelDir of @koenbert/tensor-utils).
 */
export async function resolveTokenizerDir(dirOrHubId: string, hub: TokenizerHubOptions = {}): Promise<string> {
  return resolveModelDir({ repoOrPath: dirOrHubId, files: [], optionalFiles: [...TOKENIZER_FILES], ...hub });
}
