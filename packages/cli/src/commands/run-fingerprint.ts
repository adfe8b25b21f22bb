import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { splitSourceColumn } from '@koenbert/tokenizer-merge';

/** `owner/name` or `name` that is not an existing path: a Hub repo id (as tensor-utils' classifyRepoOrPath decides). */
export function looksLikeHubId(source: string): boolean {
  return !path.isAbsolute(source) && !/^(\.|~)/.test(source) && source.split('/').length <= 2 && /^(?:[A-Za-z0-9][\w.-]*\/)?[A-Za-z0-9][\w.-]*$/.test(source);
}

async function listFiles(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  const visit = async (folder: string): Promise<void> => {
    for (const entry of (await fs.readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isFile()) out.push(full);
      else if (entry.isDirectory() && recursive) await visit(full);
    }
  };
  await visit(dir);
  return out;
}

/**
 * A fingerprint of an input: for a local file, its size and modification time; for a folder, those of every file in
 * it (a model folder: the files at its top; a text folder: every file below it); a Hub id or `hf:` dataset is its
 * name (and revision). `undefined` when the local path does not exist.
 */
export async function fingerprintInput(params: { source: string; kind: 'model' | 'text'; revision?: string }): Promise<string | undefined> {
  const { source, kind } = params;
  if (source.startsWith('hf:')) return source;
  const target = kind === 'text' ? splitSourceColumn(source).file : source;
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) return kind === 'model' && looksLikeHubId(source) ? `hub:${source}@${params.revision ?? 'main'}` : undefined;
  const files = stat.isDirectory() ? await listFiles(target, kind === 'text') : [target];
  const hash = createHash('sha256');
  for (const file of files) {
    const info = await fs.stat(file);
    hash.update(`${path.relative(target, file)}\t${info.size}\t${Math.round(info.mtimeMs)}\n`);
  }
  return `${stat.isDirectory() ? 'folder' : 'file'}:${hash.digest('hex').slice(0, 16)}`;
}
