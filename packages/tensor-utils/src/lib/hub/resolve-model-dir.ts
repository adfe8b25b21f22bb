import { promises as fs } from 'node:fs';
import path from 'node:path';
import { datasetInfo, modelInfo, pathsInfo } from '@huggingface/hub';
import { KoenbertError } from '../errors';
import {
  COMMIT_ID,
  isCached,
  isKnownMissing,
  markMissing,
  readCachedRef,
  repoCacheFolder,
  snapshotFolder,
  writeCachedRef,
} from './hub-cache';
import { checkAnnouncedFile, downloadToCache, type AnnouncedFile } from './download-to-cache';
import { hubError, isNetworkError, unreachableError } from './hub-error';
import { resolveHubSettings, type HubOptions, type HubSettings, type RepoType } from './hub-options';
import { checkRelativeFile, classifyRepoOrPath } from './repo-or-path';

export interface ResolveModelDirParams extends HubOptions {
  /** A local folder, or a Hub repo id (`owner/name`). */
  repoOrPath: string;
  /** Files that must be there (`config.json`, …). */
  files: string[];
  /** Files fetched when the repo has them (`model.safetensors` or `pytorch_model.bin`, …). */
  optionalFiles?: string[];
  repoType?: RepoType;
}

interface RepoContext {
  repo: string;
  repoType: RepoType;
  repoFolder: string;
  settings: HubSettings & { rawFetch: typeof fetch };
}

/**
 * A folder holding `files` (and whichever `optionalFiles` exist):
 * - a local folder is returned as is (a missing required file is an error naming it);
 * - a Hub repo id is resolved to a commit, the chosen files are downloaded into the HF-layout cache
 *   (shared with Python's huggingface_hub) and the snapshot folder `…/snapshots/{commit}` is returned.
 *   Files already cached are not downloaded again; a commit-id revision that is fully cached needs no
 *   request at all. Offline (option or HF_HUB_OFFLINE=1) only the cache is used; when the Hub cannot be
 *   reached, a complete cached snapshot is used too.
 */
export async function resolveModelDir(params: ResolveModelDirParams): Promise<string> {
  const { files, optionalFiles = [] } = params;
  for (const file of [...files, ...optionalFiles]) checkRelativeFile(file);
  const target = await classifyRepoOrPath(params.repoOrPath);
  if (target.kind === 'local') {
    await checkLocalFiles(target.dir, files);
    return target.dir;
  }
  const resolved = resolveHubSettings(params);
  // every API request gets the same time limit as a stalled download
  const settings = { ...resolved, fetch: withTimeout(resolved.fetch, resolved.timeoutSeconds), rawFetch: resolved.fetch };
  const repoType = params.repoType ?? 'model';
  const context: RepoContext = {
    repo: target.repo,
    repoType,
    settings,
    repoFolder: repoCacheFolder({ cacheDir: settings.cacheDir, repoType, repo: target.repo }),
  };
  if (settings.offline) return fromCache({ context, files, reason: 'offline' });

  let commit: string;
  try {
    commit = await resolveCommit(context);
  } catch (error) {
    if (!isNetworkError(error)) throw hubError({ error, hubUrl: settings.hubUrl, repo: context.repo, revision: settings.revision, timeoutSeconds: settings.timeoutSeconds });
    return fromCache({ context, files, reason: 'unreachable', cause: error });
  }
  try {
    await download({ context, commit, files, optionalFiles });
  } catch (error) {
    if (error instanceof KoenbertError || !isNetworkError(error)) throw error;
    return fromCache({ context, files, reason: 'unreachable', cause: error });
  }
  return snapshotFolder({ repoFolder: context.repoFolder, commit });
}

/** `fetch` that gives up when the answer's headers take longer than `timeoutSeconds`. */
function withTimeout(fetchImpl: typeof fetch, timeoutSeconds: number): typeof fetch {
  return (input, init) => fetchImpl(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutSeconds * 1000) });
}

async function checkLocalFiles(dir: string, files: string[]): Promise<void> {
  for (const file of files) {
    const stat = await fs.stat(path.join(dir, file)).catch(() => undefined);
    if (!stat?.isFile()) {
      throw new KoenbertError({ code: 'FILE_NOT_FOUND', file: path.join(dir, file), message: `required file ${file} is missing from the folder` });
    }
  }
}

/** The commit a branch/tag names now (a commit id is taken as is, without a request). */
async function resolveCommit(context: RepoContext): Promise<string> {
  const { revision, hubUrl, token, fetch } = context.settings;
  if (COMMIT_ID.test(revision)) return revision;
  const common = { name: context.repo, revision, hubUrl, fetch, accessToken: token, additionalFields: ['sha'] as ['sha'] };
  const info = context.repoType === 'dataset' ? await datasetInfo(common) : await modelInfo(common);
  const commit = (info as { sha?: string }).sha;
  if (typeof commit !== 'string' || !COMMIT_ID.test(commit)) {
    throw new KoenbertError({ code: 'HUB_ERROR', message: `${context.repo} (revision ${revision}) on ${hubUrl}: no commit id in the answer` });
  }
  await writeCachedRef({ repoFolder: context.repoFolder, revision, commit });
  return commit;
}

async function download(params: { context: RepoContext; commit: string; files: string[]; optionalFiles: string[] }): Promise<void> {
  const { context, commit, files, optionalFiles } = params;
  const { repoFolder, repo, repoType, settings } = context;
  const { revision, hubUrl, token, fetch, timeoutSeconds } = settings;
  const required = new Set(files);
  const wanted: string[] = [];
  for (const file of new Set([...files, ...optionalFiles])) {
    if (await isCached({ repoFolder, commit, file })) continue;
    if (!required.has(file) && (await isKnownMissing({ repoFolder, commit, file }))) continue;
    wanted.push(file);
  }
  if (wanted.length === 0) return;

  const hubRepo = { type: repoType, name: repo };
  const present = new Map<string, AnnouncedFile>();
  try {
    const infos = await pathsInfo({ repo: hubRepo, paths: wanted, revision: commit, hubUrl, fetch, accessToken: token });
    for (const info of infos) {
      if (info.type !== 'file' || !wanted.includes(info.path)) continue;
      const where = `${repo} file ${info.path} (revision ${revision}) on ${hubUrl}`;
      present.set(info.path, checkAnnouncedFile({ info, file: info.path, where }));
    }
  } catch (error) {
    if (isNetworkError(error)) throw error;
    throw hubError({ error, hubUrl, repo, revision, timeoutSeconds });
  }
  const missing = wanted.filter((file) => required.has(file) && !present.has(file));
  if (missing.length > 0) {
    throw new KoenbertError({
      code: 'HUB_FILE_NOT_FOUND',
      message: `${repo} has no file ${missing.join(', ')} (revision ${revision}) on ${hubUrl}`,
    });
  }
  for (const file of wanted) {
    const announced = present.get(file);
    if (!announced) {
      await markMissing({ repoFolder, commit, file });
      continue;
    }
    const prefix = repoType === 'model' ? '' : `${repoType}s/`;
    const url = `${hubUrl}/${prefix}${repo}/resolve/${commit}/${file.split('/').map(encodeURIComponent).join('/')}`;
    const where = `${repo} file ${file} (revision ${revision}) on ${hubUrl}`;
    try {
      // the raw fetch: downloadToCache runs its own idle timer over the whole body
      await downloadToCache({ url, file: announced, repoFolder, commit, where, token, fetch: context.settings.rawFetch, timeoutSeconds });
    } catch (error) {
      if (isNetworkError(error)) throw error;
      throw hubError({ error, hubUrl, repo, revision, file, timeoutSeconds });
    }
  }
}

/** Offline, or the Hub is unreachable: the cached snapshot the revision last pointed to, if it has the files. */
async function fromCache(params: { context: RepoContext; files: string[]; reason: 'offline' | 'unreachable'; cause?: unknown }): Promise<string> {
  const { context, files, reason, cause } = params;
  const { repo, repoFolder, settings } = context;
  const notCached = (what: string) =>
    reason === 'unreachable'
      ? unreachableError({ hubUrl: settings.hubUrl, repo: what, cause })
      : new KoenbertError({
          code: 'HUB_NOT_CACHED',
          message: `offline mode: ${what} (revision ${settings.revision}) is not in the cache ${settings.cacheDir} — run once online, or use a local folder`,
        });
  const commit = await readCachedRef({ repoFolder, revision: settings.revision });
  if (!commit) throw notCached(repo);
  for (const file of files) {
    if (!(await isCached({ repoFolder, commit, file }))) throw notCached(`${repo} file ${file}`);
  }
  return snapshotFolder({ repoFolder, commit });
}
