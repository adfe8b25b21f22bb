import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type LocalHubRepoType = 'model' | 'dataset';

export interface LocalHubRequest {
  method: string;
  /** Decoded path, without the query string. */
  path: string;
  range?: string;
  authorization?: string;
}

export interface LocalHubServer {
  /** e.g. http://127.0.0.1:41234 — pass it as `hubUrl`. */
  url: string;
  /** Every request received, in order (tests assert cache hits with it). */
  requests: LocalHubRequest[];
  /** The commit id each repo's one revision has (what `main` resolves to). */
  commits: Record<string, string>;
  close(): Promise<void>;
}

interface StoredFile {
  path: string;
  content: Buffer;
  /** git blob sha1 (what the Hub calls `oid`). */
  oid: string;
  /** sha256 for files the Hub would keep in LFS. */
  lfsOid?: string;
}

interface StoredRepo {
  id: string;
  commit: string;
  files: Map<string, StoredFile>;
  directories: Set<string>;
}

const LFS_EXTENSIONS = /\.(bin|safetensors|h5|msgpack|onnx|ot|parquet|arrow|pt|pth|ckpt|model|npz|zip|gz)$/;
const LFS_MIN_BYTES = 10 * 1024 * 1024;

function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

function storeRepo(id: string, files: Record<string, Buffer | string>): StoredRepo {
  const stored = new Map<string, StoredFile>();
  const directories = new Set<string>();
  for (const [filePath, value] of Object.entries(files)) {
    const content = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const isLfs = LFS_EXTENSIONS.test(filePath) || content.length >= LFS_MIN_BYTES;
    const lfsOid = isLfs ? createHash('sha256').update(content).digest('hex') : undefined;
    const gitBody = lfsOid ? Buffer.from(lfsPointer(lfsOid, content.length)) : content;
    const oid = sha1(Buffer.concat([Buffer.from(`blob ${gitBody.length}\0`), gitBody]));
    stored.set(filePath, { path: filePath, content, oid, lfsOid });
    const parts = filePath.split('/');
    for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join('/'));
  }
  const listing = [...stored.values()].map((f) => `${f.path}\0${f.lfsOid ?? f.oid}`).sort();
  return { id, commit: sha1(`${id}\n${listing.join('\n')}`), files: stored, directories };
}

function lfsPointer(oid: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;
}

function entryJson(repo: StoredRepo, entryPath: string, expand: boolean): Record<string, unknown> {
  const lastCommit = expand ? { lastCommit: { id: repo.commit, title: 'local hub commit', date: '2026-01-01T00:00:00.000Z' } } : {};
  const file = repo.files.get(entryPath);
  if (!file) return { type: 'directory', oid: sha1(`tree ${entryPath}`), size: 0, path: entryPath, ...lastCommit };
  return {
    type: 'file',
    oid: file.oid,
    size: file.content.length,
    path: file.path,
    ...(file.lfsOid ? { lfs: { oid: file.lfsOid, size: file.content.length, pointerSize: lfsPointer(file.lfsOid, file.content.length).length } } : {}),
    ...lastCommit,
  };
}

/**
 * A Hugging Face Hub look-alike on 127.0.0.1 (random port) for tests: the endpoints @huggingface/hub
 * and `resolveModelDir` use — `GET|HEAD /{repo}/resolve/{rev}/{path}` (Range → 206 + Content-Range,
 * ETag, 404 + `X-Error-Code: EntryNotFound`), `GET /api/{type}s/{repo}/revision/{rev}`,
 * `GET /api/{type}s/{repo}/tree/{rev}[/{path}]`, `POST /api/{type}s/{repo}/paths-info/{rev}`.
 * Each repo has one commit; `main`, `HEAD` and its commit id resolve to it. With `token`, requests
 * without `Authorization: Bearer {token}` get 401 (a gated repo).
 */
export async function startLocalHubServer(params: {
  repos: Record<string, Record<string, Buffer | string>>;
  repoType?: LocalHubRepoType;
  token?: string;
}): Promise<LocalHubServer> {
  const repoType = params.repoType ?? 'model';
  const repos = Object.entries(params.repos).map(([id, files]) => storeRepo(id, files));
  const requests: LocalHubRequest[] = [];

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        handle(request, response, Buffer.concat(chunks));
      } catch (error) {
        sendJson(response, 500, { error: (error as Error).message });
      }
    });
  });

  function handle(request: http.IncomingMessage, response: http.ServerResponse, body: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const requestPath = decodeURIComponent(url.pathname);
    const method = request.method ?? 'GET';
    requests.push({ method, path: requestPath, range: request.headers.range, authorization: request.headers.authorization });
    if (params.token && request.headers.authorization !== `Bearer ${params.token}`) {
      sendJson(response, 401, { error: 'Invalid credentials in Authorization header' }, 'GatedRepo');
      return;
    }
    const apiPrefix = `/api/${repoType}s/`;
    const filePrefix = repoType === 'model' ? '/' : `/${repoType}s/`;
    const isApi = requestPath.startsWith(apiPrefix);
    const afterPrefix = isApi ? requestPath.slice(apiPrefix.length) : requestPath.startsWith(filePrefix) ? requestPath.slice(filePrefix.length) : undefined;
    const repo = afterPrefix === undefined ? undefined : repos.find((r) => afterPrefix.startsWith(`${r.id}/`));
    if (!repo || afterPrefix === undefined) {
      sendJson(response, 404, { error: 'Repository not found' }, 'RepoNotFound');
      return;
    }
    const [action, revision, ...rest] = afterPrefix.slice(repo.id.length + 1).split('/');
    if (revision !== 'main' && revision !== 'HEAD' && revision !== repo.commit) {
      sendJson(response, 404, { error: `Invalid rev id: ${revision}` }, 'RevisionNotFound');
      return;
    }
    const entryPath = rest.join('/');
    if (!isApi && (action === 'resolve' || action === 'raw') && (method === 'GET' || method === 'HEAD')) {
      sendFile({ response, repo, entryPath, range: request.headers.range, head: method === 'HEAD' });
    } else if (isApi && action === 'revision' && method === 'GET') {
      sendJson(response, 200, {
        _id: sha1(repo.id).slice(0, 24),
        id: repo.id,
        sha: repo.commit,
        private: false,
        gated: false,
        downloads: 0,
        likes: 0,
        lastModified: '2026-01-01T00:00:00.000Z',
        siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })),
      });
    } else if (isApi && action === 'tree' && method === 'GET') {
      sendTree({ response, repo, entryPath, recursive: url.searchParams.get('recursive') === 'true', expand: url.searchParams.get('expand') === 'true' });
    } else if (isApi && action === 'paths-info' && method === 'POST') {
      const { paths, expand } = parsePathsInfoBody(body, request.headers['content-type']);
      const known = paths.filter((p) => repo.files.has(p) || repo.directories.has(p));
      sendJson(response, 200, known.map((p) => entryJson(repo, p, expand)));
    } else {
      sendJson(response, 404, { error: `not implemented by the local hub: ${method} ${requestPath}` });
    }
  }

  function sendTree(p: { response: http.ServerResponse; repo: StoredRepo; entryPath: string; recursive: boolean; expand: boolean }): void {
    const { response, repo, entryPath, recursive, expand } = p;
    if (entryPath && !repo.directories.has(entryPath)) {
      sendJson(response, 404, { error: `${entryPath} does not exist on "main"` }, 'EntryNotFound');
      return;
    }
    const base = entryPath ? `${entryPath}/` : '';
    const all = [...repo.directories, ...repo.files.keys()].filter((p2) => p2.startsWith(base));
    const listed = recursive ? all : all.filter((p2) => !p2.slice(base.length).includes('/'));
    sendJson(response, 200, listed.sort().map((p2) => entryJson(repo, p2, expand)));
  }

  function sendFile(p: { response: http.ServerResponse; repo: StoredRepo; entryPath: string; range?: string; head: boolean }): void {
    const { response, repo, entryPath, range, head } = p;
    const file = repo.files.get(entryPath);
    if (!file) {
      sendJson(response, 404, { error: 'Entry not found' }, 'EntryNotFound');
      return;
    }
    const size = file.content.length;
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ETag: `"${file.lfsOid ?? file.oid}"`,
      'X-Repo-Commit': repo.commit,
    };
    if (file.lfsOid) headers['X-Linked-Size'] = String(size);
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range) {
      const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      if (match && (match[1] || match[2])) {
        if (match[1]) {
          start = Number(match[1]);
          end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
        } else {
          start = Math.max(0, size - Number(match[2]));
        }
      }
      if (!match || start > end || start >= size) {
        response.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = String(Math.max(0, end - start + 1));
    response.writeHead(status, headers);
    response.end(head ? undefined : file.content.subarray(start, end + 1));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    commits: Object.fromEntries(repos.map((r) => [r.id, r.commit])),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function parsePathsInfoBody(body: Buffer, contentType: string | undefined): { paths: string[]; expand: boolean } {
  if (contentType?.includes('application/json')) {
    const json = JSON.parse(body.toString('utf8')) as { paths?: string[]; expand?: boolean | string };
    return { paths: json.paths ?? [], expand: json.expand === true || json.expand === 'true' };
  }
  // huggingface_hub (Python) posts a form: paths=a&paths=b&expand=True
  const form = new URLSearchParams(body.toString('utf8'));
  return { paths: form.getAll('paths'), expand: (form.get('expand') ?? '').toLowerCase() === 'true' };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, errorCode?: string): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (errorCode) headers['X-Error-Code'] = errorCode;
  response.writeHead(status, headers);
  response.end(JSON.stringify(body));
}
