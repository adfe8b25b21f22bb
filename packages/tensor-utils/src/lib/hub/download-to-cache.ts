import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KoenbertError } from '../errors';
import { processAlive } from '../output-lock';
import { BLOB_ID, insideFolder } from './hub-cache';

/** What the Hub's paths-info said about a file: its git blob id, size, and for LFS files the sha256. */
export interface AnnouncedFile {
  path: string;
  oid: string;
  size: number;
  lfs?: { oid: string; size: number };
}

/**
 * Checks one paths-info entry before anything of it becomes a path: the git oid must be 40 hex digits,
 * an LFS oid 64, the sizes non-negative integers that agree.
 */
export function checkAnnouncedFile(params: { info: unknown; file: string; where: string }): AnnouncedFile {
  const { file, where } = params;
  const info = params.info as { oid?: unknown; size?: unknown; lfs?: { oid?: unknown; size?: unknown } | null };
  const bad = (what: string) => new KoenbertError({ code: 'HUB_BAD_ANSWER', message: `${where}: the Hub announced ${what} for ${file}; refusing it` });
  if (typeof info.oid !== 'string' || !/^[0-9a-f]{40}$/.test(info.oid)) throw bad(`oid ${JSON.stringify(info.oid)} (not 40 hex digits)`);
  if (!Number.isSafeInteger(info.size) || (info.size as number) < 0) throw bad(`size ${JSON.stringify(info.size)}`);
  const announced: AnnouncedFile = { path: file, oid: info.oid, size: info.size as number };
  if (info.lfs != null) {
    if (typeof info.lfs.oid !== 'string' || !/^[0-9a-f]{64}$/.test(info.lfs.oid)) throw bad(`LFS oid ${JSON.stringify(info.lfs.oid)} (not a sha256)`);
    if (info.lfs.size !== info.size) throw bad(`LFS size ${JSON.stringify(info.lfs.size)} beside size ${info.size}`);
    announced.lfs = { oid: info.lfs.oid, size: info.size as number };
  }
  return announced;
}

/** The blob name in the cache: the LFS sha256, else the git blob id (what huggingface_hub uses). */
export function blobIdOf(file: AnnouncedFile): string {
  const id = file.lfs?.oid ?? file.oid;
  if (!BLOB_ID.test(id)) throw new KoenbertError({ code: 'HUB_BAD_ANSWER', message: `blob id ${JSON.stringify(id)} for ${file.path} is not a hash` });
  return id;
}

/** `{blob}.{pid}-{hex}.incomplete` files left by killed downloads of this blob. */
async function removeDeadIncomplete(target: string): Promise<void> {
  const dir = path.dirname(target);
  const prefix = `${path.basename(target)}.`;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const match = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+\.incomplete$/.exec(name.slice(prefix.length)) : null;
    if (match && Number(match[1]) !== process.pid && !processAlive(Number(match[1]))) await fs.rm(path.join(dir, name), { force: true });
  }
}

function networkCode(error: unknown): string | undefined {
  for (let current = error as { code?: string; cause?: unknown } | undefined, depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

/**
 * Downloads `url` into `blobs/{id}` of `repoFolder` through `blobs/{id}.{pid}-{hex}.incomplete` and links
 * `snapshots/{commit}/{file}` to it. The body must have exactly the announced size (paths-info, and
 * Content-Length / X-Linked-Size when the server sends them) and hash (sha256 for LFS files, the git
 * blob sha1 otherwise); otherwise, or when the connection is reset, or no byte arrives for
 * `timeoutSeconds`, the `.incomplete` file is deleted and a one-line error names the file.
 */
export async function downloadToCache(params: {
  url: string;
  file: AnnouncedFile;
  repoFolder: string;
  commit: string;
  /** For messages: `owner/name file x (revision r) on URL`. */
  where: string;
  token?: string;
  fetch: typeof fetch;
  timeoutSeconds: number;
}): Promise<string> {
  const { file, repoFolder, commit, where, timeoutSeconds } = params;
  const blobId = blobIdOf(file);
  const blobs = path.join(repoFolder, 'blobs');
  const blobPath = insideFolder(blobs, blobId, 'blob id');
  const pointer = insideFolder(path.join(repoFolder, 'snapshots'), path.join(commit, file.path), 'file');
  const existing = await fs.stat(blobPath).catch(() => undefined);
  if (!existing?.isFile() || existing.size !== file.size) {
    if (existing) await fs.rm(blobPath, { force: true, recursive: true });
    await fs.mkdir(blobs, { recursive: true });
    await fetchBlob({ ...params, target: blobPath, blobId, where, timeoutSeconds });
  }
  await fs.mkdir(path.dirname(pointer), { recursive: true });
  await fs.rm(pointer, { force: true });
  await fs.symlink(path.relative(path.dirname(pointer), blobPath), pointer);
  return pointer;
}

async function fetchBlob(params: {
  url: string;
  file: AnnouncedFile;
  target: string;
  blobId: string;
  where: string;
  token?: string;
  fetch: typeof fetch;
  timeoutSeconds: number;
}): Promise<void> {
  const { url, file, target, where, timeoutSeconds } = params;
  // one temp file per process (two processes fetching one blob must not write into the same file); those of dead processes go
  await removeDeadIncomplete(target);
  const incomplete = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.incomplete`;
  const fail = (code: string, message: string, cause?: unknown) =>
    new KoenbertError({ code, message: `${where}: ${message}`, cause });
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutSeconds * 1000);
  };
  let received = 0;
  const hash = createHash(file.lfs ? 'sha256' : 'sha1');
  if (!file.lfs) hash.update(`blob ${file.size}\0`);
  const handle = await fs.open(incomplete, 'w');
  let ok = false;
  try {
    arm();
    let response: Response;
    try {
      response = await params.fetch(url, {
        headers: { 'Accept-Encoding': 'identity', ...(params.token ? { Authorization: `Bearer ${params.token}` } : {}) },
        signal: controller.signal,
      });
    } catch (error) {
      if (timedOut) throw fail('HUB_TIMEOUT', `no answer within ${timeoutSeconds} s (raise hub timeoutSeconds or HF_HUB_DOWNLOAD_TIMEOUT)`, error);
      const code = networkCode(error);
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') throw fail('HUB_CONNECTION_RESET', `connection reset by the server before the download started (${code})`, error);
      throw error; // unreachable: the caller may fall back to the cache
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw fail('HUB_ERROR', `download failed with HTTP ${response.status}`);
    }
    const encoded = (response.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
    for (const header of encoded ? ['x-linked-size'] : ['content-length', 'x-linked-size']) {
      const value = response.headers.get(header);
      if (value !== null && Number(value) !== file.size) {
        await response.body.cancel().catch(() => undefined);
        throw fail('HUB_SIZE_MISMATCH', `the server announced ${header} ${value}, but the file has ${file.size} bytes`);
      }
    }
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arm();
        received += value.byteLength;
        if (received > file.size) throw fail('HUB_SIZE_MISMATCH', `the server sent more than the announced ${file.size} bytes`);
        hash.update(value);
        await handle.write(value);
      }
    } catch (error) {
      if (error instanceof KoenbertError) throw error;
      if (timedOut) {
        throw fail('HUB_TIMEOUT', `download stalled: no data for ${timeoutSeconds} s after ${received} of ${file.size} bytes (raise hub timeoutSeconds or HF_HUB_DOWNLOAD_TIMEOUT)`, error);
      }
      const code = networkCode(error);
      if (code === 'ECONNRESET') throw fail('HUB_CONNECTION_RESET', `connection reset by the server after ${received} of ${file.size} bytes`, error);
      throw fail('HUB_DOWNLOAD_CUT', `the connection closed after ${received} of ${file.size} bytes${code ? ` (${code})` : ''}`, error);
    } finally {
      reader.releaseLock();
    }
    if (received !== file.size) throw fail('HUB_SIZE_MISMATCH', `received ${received} bytes, the Hub announced ${file.size}`);
    const digest = hash.digest('hex');
    const expected = file.lfs?.oid ?? file.oid;
    if (digest !== expected) {
      throw fail('HUB_HASH_MISMATCH', `content ${file.lfs ? 'sha256' : 'git blob sha1'} ${digest} differs from the announced ${expected}`);
    }
    await handle.sync();
    ok = true;
  } finally {
    clearTimeout(timer);
    if (!ok) controller.abort();
    await handle.close();
    if (!ok) await fs.rm(incomplete, { force: true });
  }
  await fs.rename(incomplete, target);
}
