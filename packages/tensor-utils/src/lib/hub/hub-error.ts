import { HubApiError } from '@huggingface/hub';
import { KoenbertError } from '../errors';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** An AbortSignal.timeout() firing (by name: DOMException comes from another realm under jest). */
export function isTimeout(error: unknown): boolean {
  for (let current = error as { name?: string; cause?: unknown } | undefined, depth = 0; current && depth < 5; depth++) {
    if (current.name === 'TimeoutError') return true;
    current = current.cause as typeof current;
  }
  return false;
}

/** Whether `error` is fetch failing to reach the server at all (as opposed to an HTTP error answer). */
export function isNetworkError(error: unknown): boolean {
  for (let current = error as { code?: string; cause?: unknown } | undefined, depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) return true;
    // Compare by name: under jest (vm contexts) fetch's TypeError comes from another realm and fails instanceof.
    if ((current as Error).name === 'TypeError' && (current as Error).message === 'fetch failed') return true;
    current = current.cause as typeof current;
  }
  return false;
}

export function unreachableError(params: { hubUrl: string; repo: string; cause: unknown }): KoenbertError {
  return new KoenbertError({
    code: 'HUB_UNREACHABLE',
    message: `cannot reach ${params.hubUrl} — use a local folder or --offline (needed for ${params.repo}, which is not in the cache)`,
    cause: params.cause,
  });
}

/** A one-line KoenbertError for anything the Hub client threw while working on `repo` (and `file`). */
export function hubError(params: { error: unknown; hubUrl: string; repo: string; revision: string; file?: string; timeoutSeconds?: number }): KoenbertError {
  const { error, hubUrl, repo, revision, file } = params;
  if (error instanceof KoenbertError) return error;
  if (isNetworkError(error)) return unreachableError({ hubUrl, repo, cause: error });
  const where = `${repo}${file ? ` file ${file}` : ''} (revision ${revision}) on ${hubUrl}`;
  if (isTimeout(error)) {
    return new KoenbertError({
      code: 'HUB_TIMEOUT',
      message: `${where}: no answer within ${params.timeoutSeconds ?? '?'} s (raise hub timeoutSeconds or HF_HUB_DOWNLOAD_TIMEOUT)`,
      cause: error,
    });
  }
  if (error instanceof HubApiError) {
    if (error.statusCode === 401 || error.statusCode === 403) {
      return new KoenbertError({
        code: 'HUB_ACCESS_DENIED',
        message: `not found or access denied: ${where} (HTTP ${error.statusCode}) — check the name, or set HF_TOKEN to a token that can read it`,
        cause: error,
      });
    }
    if (error.statusCode === 404) {
      return new KoenbertError({ code: 'HUB_NOT_FOUND', message: `not found: ${where}`, cause: error });
    }
    return new KoenbertError({ code: 'HUB_ERROR', message: `Hub error HTTP ${error.statusCode} for ${where}`, cause: error });
  }
  const message = (error as Error)?.message?.split('\n')[0] ?? String(error);
  return new KoenbertError({ code: 'HUB_ERROR', message: `${where}: ${message}`, cause: error });
}
