import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RepoType } from './hub-options';

/**
 * The Hugging Face cache layout (shared with the Python libraries):
 * {cacheDir}/{models|datasets}--{owner}--{name}/{blobs/, snapshots/{commit}/{file} → ../../blobs/{etag}, refs/{revision}, .no_exist/{commit}/{file}}
 */
export function repoCacheFolder(params: { cacheDir: string; repoType: RepoType; repo: string }): string {
  return path.join(params.cacheDir, [`${params.repoType}s`, ...params.repo.split('/')].join('--'));
}

export const COMMIT_ID = /^[0-9a-f]{40}$/;

/** The commit a revision pointed to when it was last resolved online, if the cache knows it. */
export async function readCachedRef(params: { repoFolder: string; revision: string }): Promise<string | undefined> {
  if (COMMIT_ID.test(params.revision)) return params.revision;
  const ref = await fs.readFile(path.join(params.repoFolder, 'refs', params.revision), 'utf8').catch(() => undefined);
  const commit = ref?.trim();
  return commit && COMMIT_ID.test(commit) ? commit : undefined;
}

export async function writeCachedRef(params: { repoFolder: string; revision: string; commit: string }): Promise<void> {
  if (params.revision === params.commit) return;
  const file = path.join(params.repoFolder, 'refs', params.revision);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, params.commit);
}

export function snapshotFolder(params: { repoFolder: string; commit: string }): string {
  return path.join(params.repoFolder, 'snapshots', params.commit);
}

/** Is the file in the snapshot (following the symlink to its blob)? */
export async function isCached(params: { repoFolder: string; commit: string; file: string }): Promise<boolean> {
  return fs.stat(path.join(snapshotFolder(params), params.file)).then(
    (stat) => stat.isFile(),
    () => false,
  );
}

/** Whether an earlier online run found that the file does not exist at that commit. */
export async function isKnownMissing(params: { repoFolder: string; commit: string; file: string }): Promise<boolean> {
  return fs.stat(path.join(params.repoFolder, '.no_exist', params.commit, params.file)).then(
    () => true,
    () => false,
  );
}

export async function markMissing(params: { repoFolder: string; commit: string; file: string }): Promise<void> {
  const marker = path.join(params.repoFolder, '.no_exist', params.commit, params.file);
  await fs.mkdir(path.dirname(marker), { recursive: true });
  await fs.writeFile(marker, '');
}
