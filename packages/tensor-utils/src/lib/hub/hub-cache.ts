import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KoenbertError } from '../errors';
import type { RepoType } from './hub-options';

/**
 * The Hugging Face cache layout (shared with the Python libraries):
 * {cacheDir}/{models|datasets}--{owner}--{name}/{blobs/, snapshots/{commit}/{file} → ../../blobs/{etag}, refs/{revision}, .no_exist/{commit}/{file}}
 */
export function repoCacheFolder(params: { cacheDir: string; repoType: RepoType; repo: string }): string {
  return path.join(params.cacheDir, [`${params.repoType}s`, ...params.repo.split('/')].join('--'));
}

export const COMMIT_ID = /^[0-9a-f]{40}$/;
/** A blob name in the cache: a git blob sha1 (40 hex) or an LFS sha256 (64 hex). Nothing else becomes a path. */
export const BLOB_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Whether `revision` is a branch/tag name or commit id that may become a `refs/{revision}` file: git's
 * ref-name rules (no `..`, no empty, `.`-leading or `.lock` components, no control characters or
 * space ~ ^ : ? * [ \\, no `@{`, no leading/trailing `/`), at most 255 characters.
 */
export function isValidRevision(revision: string): boolean {
  if (revision.length === 0 || revision.length > 255 || revision === '@') return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(revision) || revision.includes('..') || revision.includes('@{')) return false;
  if (revision.endsWith('.')) return false;
  return revision.split('/').every((part) => part.length > 0 && !part.startsWith('.') && !part.endsWith('.lock'));
}

/** The path of `relative` under `root`, refusing anything that would land outside it. */
export function insideFolder(root: string, relative: string, what: string): string {
  const full = path.resolve(root, relative);
  const back = path.relative(path.resolve(root), full);
  if (back === '' || back.startsWith('..') || path.isAbsolute(back)) {
    throw new KoenbertError({ code: 'HUB_BAD_PATH', message: `${what} "${relative}" would be written outside the cache folder ${root}` });
  }
  return full;
}

export function checkRevision(revision: string): void {
  if (!isValidRevision(revision)) {
    throw new KoenbertError({
      code: 'HUB_BAD_REVISION',
      message: `revision ${JSON.stringify(revision)} is not a branch, tag or commit id (no "..", no empty or "."-leading parts, no spaces or ~^:?*[\\)`,
    });
  }
}

/** The commit a revision pointed to when it was last resolved online, if the cache knows it. */
export async function readCachedRef(params: { repoFolder: string; revision: string }): Promise<string | undefined> {
  if (COMMIT_ID.test(params.revision)) return params.revision;
  checkRevision(params.revision);
  const ref = await fs.readFile(insideFolder(path.join(params.repoFolder, 'refs'), params.revision, 'revision'), 'utf8').catch(() => undefined);
  const commit = ref?.trim();
  return commit && COMMIT_ID.test(commit) ? commit : undefined;
}

export async function writeCachedRef(params: { repoFolder: string; revision: string; commit: string }): Promise<void> {
  if (params.revision === params.commit) return;
  checkRevision(params.revision);
  if (!COMMIT_ID.test(params.commit)) throw new KoenbertError({ code: 'HUB_ERROR', message: `the Hub answered commit id ${JSON.stringify(params.commit)} for revision ${params.revision}, not 40 hex digits` });
  const file = insideFolder(path.join(params.repoFolder, 'refs'), params.revision, 'revision');
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
