import { promises as fs } from 'node:fs';
import path from 'node:path';
import { listFiles } from '@huggingface/hub';
import { KoenbertError } from '../errors';
import { readCachedRef, repoCacheFolder, snapshotFolder } from './hub-cache';
import { hubError, isNetworkError } from './hub-error';
import { resolveHubSettings, type HubOptions, type RepoType } from './hub-options';
import { checkRelativeFile, classifyRepoOrPath } from './repo-or-path';

export interface RepoFile {
  /** Relative to the repo (or folder) root, `/`-separated. */
  path: string;
  size: number;
}

/**
 * The files of a model or dataset repo (e.g. the parquet shards of a dataset), sorted by path,
 * optionally under one folder. A local folder is walked instead; offline (or when the Hub cannot be
 * reached) the cached snapshot's files are listed — only those downloaded before.
 */
export async function listRepoFiles(params: { repoOrPath: string; repoType?: RepoType; folder?: string } & HubOptions): Promise<RepoFile[]> {
  if (params.folder !== undefined) checkRelativeFile(params.folder);
  const target = await classifyRepoOrPath(params.repoOrPath);
  if (target.kind === 'local') return walk(target.dir, params.folder);
  const settings = resolveHubSettings(params);
  const repoType = params.repoType ?? 'model';
  const fromCache = async (cause?: unknown): Promise<RepoFile[]> => {
    const repoFolder = repoCacheFolder({ cacheDir: settings.cacheDir, repoType, repo: target.repo });
    const commit = await readCachedRef({ repoFolder, revision: settings.revision });
    if (!commit) {
      throw new KoenbertError({
        code: cause ? 'HUB_UNREACHABLE' : 'HUB_NOT_CACHED',
        message: cause
          ? `cannot reach ${settings.hubUrl} — use a local folder or --offline (needed to list ${target.repo})`
          : `offline mode: ${target.repo} (revision ${settings.revision}) is not in the cache ${settings.cacheDir}`,
        cause,
      });
    }
    return walk(snapshotFolder({ repoFolder, commit }), params.folder);
  };
  if (settings.offline) return fromCache();
  try {
    const files: RepoFile[] = [];
    for await (const entry of listFiles({
      repo: { type: repoType, name: target.repo },
      revision: settings.revision,
      path: params.folder,
      recursive: true,
      hubUrl: settings.hubUrl,
      fetch: (input, init) => settings.fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(settings.timeoutSeconds * 1000) }),
      accessToken: settings.token,
    })) {
      if (entry.type === 'file') files.push({ path: entry.path, size: entry.size });
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } catch (error) {
    if (isNetworkError(error)) return fromCache(error);
    throw hubError({ error, hubUrl: settings.hubUrl, repo: target.repo, revision: settings.revision, file: params.folder, timeoutSeconds: settings.timeoutSeconds });
  }
}

async function walk(root: string, folder?: string): Promise<RepoFile[]> {
  const start = folder ? path.join(root, folder) : root;
  const files: RepoFile[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) {
      throw new KoenbertError({ code: 'FOLDER_NOT_FOUND', file: dir, message: 'folder not found' });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const stat = await fs.stat(full).catch(() => undefined); // follows the cache's symlinks to blobs
      if (stat?.isDirectory()) await visit(full);
      else if (stat?.isFile()) files.push({ path: path.relative(root, full).split(path.sep).join('/'), size: stat.size });
    }
  };
  await visit(start);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
