import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KoenbertError } from '../errors';
import { isValidRevision } from './hub-cache';
import { resolveModelDir } from './resolve-model-dir';
import { listRepoFiles } from './list-repo-files';

/**
 * A Hub that lies, on 127.0.0.1: every test sets how paths-info describes the file and how the
 * resolve endpoint sends its body. Each case is bounded by a short timeout.
 */
const REPO = 'hostile/tiny';
const COMMIT = 'c'.repeat(40);
const CONTENT = Buffer.from('{"model_type": "bert", "note": "안녕하세요 세계"}', 'utf8');
const gitOid = (data: Buffer) => createHash('sha1').update(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data])).digest('hex');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

type Body = (response: http.ServerResponse, socket: Socket) => void;
interface Behaviour {
  sha?: unknown;
  info?: Record<string, unknown>;
  body?: Body;
  /** Never answer the revision request. */
  stallRevision?: boolean;
}

let behaviour: Behaviour = {};
let server: http.Server;
let url: string;
let tmp: string;
const sockets = new Set<Socket>();

const fullBody: Body = (response) => {
  response.writeHead(200, { 'Content-Length': String(CONTENT.length) });
  response.end(CONTENT);
};

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-hostile-'));
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const route = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (route === `/api/models/${REPO}/revision/main`) {
        if (behaviour.stallRevision) return; // headers never come
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ id: REPO, sha: 'sha' in behaviour ? behaviour.sha : COMMIT }));
      } else if (route.startsWith(`/api/models/${REPO}/paths-info/`)) {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify([{ type: 'file', path: 'config.json', oid: gitOid(CONTENT), size: CONTENT.length, ...behaviour.info }]));
      } else if (route.startsWith(`/api/models/${REPO}/tree/`)) {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        if (!behaviour.stallRevision) response.end('[]');
      } else if (route.startsWith(`/${REPO}/resolve/`)) {
        (behaviour.body ?? fullBody)(response, request.socket);
      } else {
        response.writeHead(404).end();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  jest.spyOn(console, 'debug').mockImplementation(() => undefined);
});
afterEach(() => {
  behaviour = {};
  for (const socket of sockets) socket.destroy();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Every file under `root` (following nothing), relative. */
async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else out.push(path.relative(root, full));
    }
  };
  await visit(root);
  return out.sort();
}

/** A fresh sandbox: `sandbox/cache` is the cache; anything else appearing in `sandbox` escaped it. */
async function sandbox(): Promise<{ root: string; cacheDir: string }> {
  const root = await fs.mkdtemp(path.join(tmp, 'box-'));
  const cacheDir = path.join(root, 'cache', 'hub');
  await fs.mkdir(cacheDir, { recursive: true });
  return { root, cacheDir };
}

async function failure(run: () => Promise<unknown>, code: string): Promise<string> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KoenbertError);
  expect((error as KoenbertError).code).toBe(code);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

const resolve = (cacheDir: string, extra: Record<string, unknown> = {}) =>
  resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: url, cacheDir, timeoutSeconds: 1, ...extra });

/** After a failed download: no blob, no .incomplete, no snapshot entry, nothing outside the cache. */
async function expectNothingKept(root: string): Promise<void> {
  const files = await tree(root);
  expect(files.filter((f) => !f.startsWith(path.join('cache', 'hub', 'models--hostile--tiny', 'refs')))).toEqual([]);
}

describe('resolveModelDir against a hostile Hub (127.0.0.1)', () => {
  it('downloads and verifies an honest answer (the baseline the other cases break)', async () => {
    const { cacheDir } = await sandbox();
    const dir = await resolve(cacheDir);
    expect(await fs.readFile(path.join(dir, 'config.json'))).toEqual(CONTENT);
    expect(await fs.readlink(path.join(dir, 'config.json'))).toBe(path.join('..', '..', 'blobs', gitOid(CONTENT)));
  }, 10000);

  it.each([
    ['a path-traversal git oid', { oid: '../../../../escaped' }],
    ['an absolute git oid', { oid: '/tmp/koenbert-escaped' }],
    ['a 40-character oid that is not hex', { oid: `../../${'a'.repeat(34)}` }],
    ['a path-traversal LFS oid', { lfs: { oid: `../../../${'e'.repeat(55)}`, size: CONTENT.length } }],
    ['an LFS size that disagrees', { lfs: { oid: sha256(CONTENT), size: 1 } }],
    ['a negative size', { size: -5 }],
    ['a fractional size', { size: 1.5 }],
  ])('refuses %s before it becomes a path', async (_, info) => {
    const { root, cacheDir } = await sandbox();
    behaviour = { info };
    const message = await failure(() => resolve(cacheDir), 'HUB_BAD_ANSWER');
    expect(message).toContain(`${REPO} file config.json (revision main) on ${url}: the Hub announced`);
    await expectNothingKept(root);
  }, 10000);

  it('refuses a commit id that is not 40 hex digits', async () => {
    const { root, cacheDir } = await sandbox();
    behaviour = { sha: '../../../../escaped' };
    expect(await failure(() => resolve(cacheDir), 'HUB_ERROR')).toContain('no commit id in the answer');
    expect(await tree(root)).toEqual([]);
  }, 10000);

  it.each([
    '../../../escaped',
    '..',
    'a/../../b',
    '/etc/passwd',
    'refs//x',
    'main/',
    '.hidden',
    'main.lock',
    'tag with space',
    'a\\b',
    'x@{1}',
    'a\0b',
    '',
  ])('refuses revision %j before it becomes a refs file', async (revision) => {
    const { root, cacheDir } = await sandbox();
    await failure(() => resolve(cacheDir, { revision }), 'HUB_BAD_REVISION');
    await failure(() => resolve(cacheDir, { revision, offline: true }), 'HUB_BAD_REVISION');
    await failure(() => listRepoFiles({ repoOrPath: REPO, hubUrl: url, cacheDir, revision }), 'HUB_BAD_REVISION');
    expect(await tree(root)).toEqual([]);
  }, 10000);

  it('accepts the revision names the Hub uses', () => {
    for (const revision of ['main', 'v1.0', 'refs/pr/1', 'refs/convert/parquet', COMMIT, 'release-2024_01']) expect(isValidRevision(revision)).toBe(true);
  });

  it('deletes a short body that ends cleanly (chunked, no Content-Length) and names the file', async () => {
    const { root, cacheDir } = await sandbox();
    behaviour = {
      body: (response) => {
        response.writeHead(200, { 'Transfer-Encoding': 'chunked' });
        response.end(CONTENT.subarray(0, 20));
      },
    };
    expect(await failure(() => resolve(cacheDir), 'HUB_SIZE_MISMATCH')).toBe(
      `${REPO} file config.json (revision main) on ${url}: received 20 bytes, the Hub announced ${CONTENT.length}`,
    );
    await expectNothingKept(root);
  }, 10000);

  it('deletes a body cut in the middle of a UTF-8 character', async () => {
    const { root, cacheDir } = await sandbox();
    const cut = CONTENT.indexOf(Buffer.from('안', 'utf8')) + 1;
    behaviour = {
      body: (response) => {
        response.writeHead(200, { 'Transfer-Encoding': 'chunked' });
        response.end(CONTENT.subarray(0, cut));
      },
    };
    expect(await failure(() => resolve(cacheDir), 'HUB_SIZE_MISMATCH')).toContain(`received ${cut} bytes, the Hub announced ${CONTENT.length}`);
    await expectNothingKept(root);
  }, 10000);

  it('deletes a body whose connection closes before Content-Length bytes came', async () => {
    const { root, cacheDir } = await sandbox();
    behaviour = {
      body: (response, socket) => {
        response.writeHead(200, { 'Content-Length': String(CONTENT.length) });
        response.write(CONTENT.subarray(0, 10), () => socket.end());
      },
    };
    expect(await failure(() => resolve(cacheDir), 'HUB_DOWNLOAD_CUT')).toMatch(/config\.json .*: the connection closed after \d+ of \d+ bytes/);
    await expectNothingKept(root);
  }, 10000);

  it('reports a connection reset as such, naming the file', async () => {
    const { root, cacheDir } = await sandbox();
    behaviour = {
      body: (response, socket) => {
        response.writeHead(200, { 'Content-Length': String(CONTENT.length) });
        response.write(CONTENT.subarray(0, 10), () => setTimeout(() => socket.resetAndDestroy(), 20));
      },
    };
    expect(await failure(() => resolve(cacheDir), 'HUB_CONNECTION_RESET')).toMatch(
      new RegExp(`^${REPO} file config\\.json \\(revision main\\) on ${url}: connection reset by the server`),
    );
    await expectNothingKept(root);
  }, 10000);

  it('times out a stalled body after timeoutSeconds of silence, in one line', async () => {
    const { root, cacheDir } = await sandbox();
    behaviour = {
      body: (response) => {
        response.writeHead(200, { 'Content-Length': String(CONTENT.length) });
        response.write(CONTENT.subarray(0, 10)); // and then nothing, connection open
      },
    };
    const started = Date.now();
    expect(await failure(() => resolve(cacheDir, { timeoutSeconds: 0.5 }), 'HUB_TIMEOUT')).toContain(
      `config.json (revision main) on ${url}: download stalled: no data for 0.5 s after 10 of ${CONTENT.length} bytes`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await expectNothingKept(root);
  }, 10000);

  it('times out a Hub that never answers an API request', async () => {
    const { cacheDir } = await sandbox();
    behaviour = { stallRevision: true };
    expect(await failure(() => resolve(cacheDir, { timeoutSeconds: 0.3 }), 'HUB_TIMEOUT')).toContain('no answer within 0.3 s');
    expect(await failure(() => listRepoFiles({ repoOrPath: REPO, hubUrl: url, cacheDir, timeoutSeconds: 0.3 }), 'HUB_TIMEOUT')).toContain(
      'no answer within 0.3 s',
    );
  }, 10000);

  it('refuses a Content-Length that differs from the announced size', async () => {
    const { root, cacheDir } = await sandbox();
    behaviour = {
      body: (response) => {
        response.writeHead(200, { 'Content-Length': '5' });
        response.end(CONTENT.subarray(0, 5));
      },
    };
    expect(await failure(() => resolve(cacheDir), 'HUB_SIZE_MISMATCH')).toContain(`announced content-length 5, but the file has ${CONTENT.length} bytes`);
    await expectNothingKept(root);
  }, 10000);

  it('stops reading a body longer than announced', async () => {
    const { root, cacheDir } = await sandbox();
    behaviour = {
      body: (response) => {
        response.writeHead(200, { 'Transfer-Encoding': 'chunked' });
        response.write(CONTENT);
        response.write(Buffer.alloc(1 << 20)); // then keeps the connection open: we must not wait for it
      },
    };
    expect(await failure(() => resolve(cacheDir), 'HUB_SIZE_MISMATCH')).toContain(`sent more than the announced ${CONTENT.length} bytes`);
    await expectNothingKept(root);
  }, 10000);

  it('refuses content of the right size but the wrong git sha1 or LFS sha256', async () => {
    const forged = Buffer.from(CONTENT);
    forged[5] ^= 1;
    for (const info of [{}, { lfs: { oid: sha256(CONTENT), size: CONTENT.length } }]) {
      const { root, cacheDir } = await sandbox();
      behaviour = {
        info,
        body: (response) => {
          response.writeHead(200, { 'Content-Length': String(forged.length), 'X-Linked-Size': String(forged.length) });
          response.end(forged);
        },
      };
      const message = await failure(() => resolve(cacheDir), 'HUB_HASH_MISMATCH');
      expect(message).toContain(`config.json (revision main) on ${url}: content ${'lfs' in info ? 'sha256' : 'git blob sha1'}`);
      await expectNothingKept(root);
    }
    // the honest LFS answer is stored under its sha256
    const { cacheDir } = await sandbox();
    behaviour = { info: { lfs: { oid: sha256(CONTENT), size: CONTENT.length } } };
    const dir = await resolve(cacheDir);
    expect(await fs.readlink(path.join(dir, 'config.json'))).toBe(path.join('..', '..', 'blobs', sha256(CONTENT)));
  }, 10000);

  it('removes the .incomplete file a killed download left, and writes its own under its pid', async () => {
    const { cacheDir } = await sandbox();
    const blobs = path.join(cacheDir, 'models--hostile--tiny', 'blobs');
    await fs.mkdir(blobs, { recursive: true });
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((done) => child.on('exit', done));
    const leftover = path.join(blobs, `${gitOid(CONTENT)}.${child.pid}-0badf00d.incomplete`);
    await fs.writeFile(leftover, 'half');
    const seen: string[] = [];
    behaviour = {
      body: (response) => {
        void fs.readdir(blobs).then((names) => seen.push(...names));
        response.writeHead(200, { 'Content-Length': String(CONTENT.length) });
        setTimeout(() => response.end(CONTENT), 50);
      },
    };
    await resolve(cacheDir);
    expect(await fs.readdir(blobs)).toEqual([gitOid(CONTENT)]);
    expect(seen.some((name) => name.startsWith(`${gitOid(CONTENT)}.${process.pid}-`) && name.endsWith('.incomplete'))).toBe(true);
  }, 10000);

  it('replaces a cached blob whose size is wrong instead of trusting it', async () => {
    const { cacheDir } = await sandbox();
    const blob = path.join(cacheDir, 'models--hostile--tiny', 'blobs', gitOid(CONTENT));
    await fs.mkdir(path.dirname(blob), { recursive: true });
    await fs.writeFile(blob, 'truncated');
    const dir = await resolve(cacheDir);
    expect(await fs.readFile(path.join(dir, 'config.json'))).toEqual(CONTENT);
  }, 10000);
});
