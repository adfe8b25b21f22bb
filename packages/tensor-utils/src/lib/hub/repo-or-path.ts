import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KoenbertError } from '../errors';

export type RepoOrPath = { kind: 'local'; dir: string } | { kind: 'hub'; repo: string };

const REPO_ID = /^(?:[A-Za-z0-9][\w.-]*\/)?[A-Za-z0-9][\w.-]*$/;

/**
 * An existing folder is local; otherwise `name` or `owner/name` is a Hub repo id. Something that
 * looks like a path (absolute, ./, ../, ~, more than one slash) but does not exist is an error,
 * not a Hub lookup.
 */
export async function classifyRepoOrPath(repoOrPath: string): Promise<RepoOrPath> {
  const stat = await fs.stat(repoOrPath).catch(() => undefined);
  if (stat?.isDirectory()) return { kind: 'local', dir: path.resolve(repoOrPath) };
  if (stat) throw new KoenbertError({ code: 'NOT_A_FOLDER', file: repoOrPath, message: 'expected a model folder or a Hub repo id, got a file' });
  const looksLikePath =
    path.isAbsolute(repoOrPath) || /^(\.|~)/.test(repoOrPath) || repoOrPath.includes('\\') || repoOrPath.split('/').length > 2;
  if (looksLikePath) throw new KoenbertError({ code: 'FOLDER_NOT_FOUND', file: repoOrPath, message: 'folder not found' });
  if (!REPO_ID.test(repoOrPath) || repoOrPath.includes('--') || repoOrPath.includes('..')) {
    throw new KoenbertError({
      code: 'BAD_REPO_ID',
      message: `"${repoOrPath}" is neither an existing folder nor a Hub repo id (name or owner/name)`,
    });
  }
  return { kind: 'hub', repo: repoOrPath };
}

/** Repo-relative file names only: no absolute paths, no `..`. */
export function checkRelativeFile(file: string): void {
  const parts = file.replace(/\\/g, '/').split('/');
  if (file === '' || path.isAbsolute(file) || parts.includes('..') || parts.includes('')) {
    throw new KoenbertError({ code: 'BAD_FILE_NAME', message: `"${file}" must be a relative path inside the repo, without ".."` });
  }
}
