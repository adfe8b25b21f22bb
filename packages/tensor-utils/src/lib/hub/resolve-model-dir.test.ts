import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KoenbertError } from '../errors';
import { startLocalHubServer, type LocalHubServer } from '../testing/start-local-hub-server';
import { resolveModelDir } from './resolve-model-dir';

const REPO = 'koenbert/tiny';
const files = {
  'config.json': '{"model_type": "bert", "hidden_size": 32}',
  'vocab.txt': '[PAD]\n[UNK]\n안녕\nhello\n',
  'model.safetensors': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)),
};
const HUB_ENV = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_HUB_OFFLINE', 'HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_HOME'];

let hub: LocalHubServer;
let tmp: string;
let savedEnv: Record<string, string | undefined>;

beforeAll(async () => {
  hub = await startLocalHubServer({ repos: { [REPO]: files } });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-hub-'));
  savedEnv = Object.fromEntries(HUB_ENV.map((name) => [name, process.env[name]]));
  // @huggingface/hub announces each download with console.debug
  jest.spyOn(console, 'debug').mockImplementation(() => undefined);
});
afterAll(async () => {
  await hub.close();
  await fs.rm(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  for (const name of HUB_ENV) delete process.env[name];
});
afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const freshCache = () => fs.mkdtemp(path.join(tmp, 'cache-'));
const requestsDuring = async <T>(server: LocalHubServer, run: () => Promise<T>) => {
  const before = server.requests.length;
  const result = await run();
  return { result, requests: server.requests.slice(before).map((r) => `${r.method} ${r.path}`) };
};

async function failure(run: () => Promise<unknown>): Promise<KoenbertError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KoenbertError);
  expect((error as Error).message).not.toContain('\n');
  return error as KoenbertError;
}

describe('resolveModelDir from the Hub (local server)', () => {
  it('downloads the chosen files into the HF-layout cache and returns the snapshot folder', async () => {
    const cacheDir = await freshCache();
    const commit = hub.commits[REPO];
    const dir = await resolveModelDir({
      repoOrPath: REPO,
      files: ['config.json', 'model.safetensors'],
      optionalFiles: ['vocab.txt', 'pytorch_model.bin'],
      hubUrl: hub.url,
      cacheDir,
    });
    const repoFolder = path.join(cacheDir, 'models--koenbert--tiny');
    expect(dir).toBe(path.join(repoFolder, 'snapshots', commit));
    expect(await fs.readFile(path.join(dir, 'config.json'), 'utf8')).toBe(files['config.json']);
    expect(await fs.readFile(path.join(dir, 'vocab.txt'), 'utf8')).toBe(files['vocab.txt']);
    expect((await fs.readFile(path.join(dir, 'model.safetensors'))).equals(files['model.safetensors'])).toBe(true);
    // snapshot entries are symlinks to blobs named by ETag: sha256 for LFS files, the git blob id otherwise
    const sha256 = createHash('sha256').update(files['model.safetensors']).digest('hex');
    const gitOid = createHash('sha1').update(`blob ${Buffer.byteLength(files['config.json'])}\0${files['config.json']}`).digest('hex');
    expect(await fs.readlink(path.join(dir, 'model.safetensors'))).toBe(path.join('..', '..', 'blobs', sha256));
    expect(await fs.readlink(path.join(dir, 'config.json'))).toBe(path.join('..', '..', 'blobs', gitOid));
    expect(await fs.readFile(path.join(repoFolder, 'refs', 'main'), 'utf8')).toBe(commit);
    // the optional file the repo lacks is remembered the way huggingface_hub does
    await expect(fs.stat(path.join(repoFolder, '.no_exist', commit, 'pytorch_model.bin'))).resolves.toBeDefined();
    await expect(fs.stat(path.join(dir, 'pytorch_model.bin'))).rejects.toThrow();
  });

  it('serves cached files without downloading them again (and a cached commit id without any request)', async () => {
    const cacheDir = await freshCache();
    const params = { repoOrPath: REPO, files: ['config.json', 'model.safetensors'], optionalFiles: ['pytorch_model.bin'], hubUrl: hub.url, cacheDir };
    const first = await requestsDuring(hub, () => resolveModelDir(params));
    expect(first.requests.filter((r) => r.includes('/resolve/')).length).toBeGreaterThanOrEqual(2);
    const second = await requestsDuring(hub, () => resolveModelDir(params));
    expect(second.result).toBe(first.result);
    expect(second.requests).toEqual([`GET /api/models/${REPO}/revision/main`]); // only "what is main now?"
    const pinned = await requestsDuring(hub, () => resolveModelDir({ ...params, revision: hub.commits[REPO] }));
    expect(pinned.result).toBe(first.result);
    expect(pinned.requests).toEqual([]);
  });

  it('works offline from the cache (option or HF_HUB_OFFLINE=1) and says clearly when something is absent', async () => {
    const cacheDir = await freshCache();
    const online = await resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: hub.url, cacheDir });
    const offline = await requestsDuring(hub, () => resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: hub.url, cacheDir, offline: true }));
    expect(offline).toEqual({ result: online, requests: [] });
    process.env.HF_HUB_OFFLINE = '1';
    process.env.HF_HUB_CACHE = cacheDir;
    const fromEnv = await requestsDuring(hub, () => resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: hub.url }));
    expect(fromEnv).toEqual({ result: online, requests: [] });

    const notCachedFile = await failure(() => resolveModelDir({ repoOrPath: REPO, files: ['vocab.txt'], hubUrl: hub.url }));
    expect(notCachedFile.code).toBe('HUB_NOT_CACHED');
    expect(notCachedFile.message).toBe(
      `offline mode: ${REPO} file vocab.txt (revision main) is not in the cache ${cacheDir} — run once online, or use a local folder`,
    );
    const empty = await freshCache();
    const notCachedRepo = await failure(() => resolveModelDir({ repoOrPath: REPO, files: ['config.json'], cacheDir: empty }));
    expect(notCachedRepo.message).toContain(`offline mode: ${REPO} (revision main) is not in the cache ${empty}`);
  });

  it('names the repo and the file when the Hub lacks a required file', async () => {
    const cacheDir = await freshCache();
    const error = await failure(() => resolveModelDir({ repoOrPath: REPO, files: ['config.json', 'tokenizer.json'], hubUrl: hub.url, cacheDir }));
    expect(error.code).toBe('HUB_FILE_NOT_FOUND');
    expect(error.message).toBe(`${REPO} has no file tokenizer.json (revision main) on ${hub.url}`);
    const repo = await failure(() => resolveModelDir({ repoOrPath: 'koenbert/absent', files: ['config.json'], hubUrl: hub.url, cacheDir }));
    expect(repo.message).toBe(`not found: koenbert/absent (revision main) on ${hub.url}`);
    const revision = await failure(() => resolveModelDir({ repoOrPath: REPO, files: ['config.json'], revision: 'v2', hubUrl: hub.url, cacheDir }));
    expect(revision.message).toBe(`not found: ${REPO} (revision v2) on ${hub.url}`);
  });

  it('says the Hub is unreachable, unless the cache already has the snapshot', async () => {
    const down = await startLocalHubServer({ repos: {} });
    await down.close(); // nothing listens on that port any more
    const cacheDir = await freshCache();
    const error = await failure(() => resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: down.url, cacheDir }));
    expect(error.code).toBe('HUB_UNREACHABLE');
    expect(error.message).toBe(`cannot reach ${down.url} — use a local folder or --offline (needed for ${REPO}, which is not in the cache)`);
    const cached = await resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: hub.url, cacheDir });
    await expect(resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: down.url, cacheDir })).resolves.toBe(cached);
  });

  it('sends the token from HF_TOKEN to a gated repo, and explains a refusal', async () => {
    const gated = await startLocalHubServer({ repos: { [REPO]: files }, token: 'hf_secret' });
    try {
      const cacheDir = await freshCache();
      const denied = await failure(() => resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: gated.url, cacheDir }));
      expect(denied.code).toBe('HUB_ACCESS_DENIED');
      expect(denied.message).toContain(`${REPO} (revision main) on ${gated.url} (HTTP 401) — check the name, or set HF_TOKEN`);
      process.env.HF_TOKEN = 'hf_secret';
      const dir = await resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: gated.url, cacheDir });
      expect(await fs.readFile(path.join(dir, 'config.json'), 'utf8')).toBe(files['config.json']);
      expect(gated.requests.at(-1)?.authorization).toBe('Bearer hf_secret');
      process.env.HF_TOKEN = 'secret';
      expect((await failure(() => resolveModelDir({ repoOrPath: REPO, files: ['config.json'], hubUrl: gated.url, cacheDir }))).message).toBe(
        'the Hub token (HF_TOKEN) must start with "hf_"',
      );
    } finally {
      await gated.close();
    }
  });

  it('puts dataset repos under datasets--owner--name', async () => {
    const datasets = await startLocalHubServer({ repos: { 'koenbert/corpus': { 'data/train-00000.parquet': 'PAR1', 'README.md': '# c' } }, repoType: 'dataset' });
    try {
      const cacheDir = await freshCache();
      const dir = await resolveModelDir({ repoOrPath: 'koenbert/corpus', repoType: 'dataset', files: ['data/train-00000.parquet'], hubUrl: datasets.url, cacheDir });
      expect(dir).toBe(path.join(cacheDir, 'datasets--koenbert--corpus', 'snapshots', datasets.commits['koenbert/corpus']));
      expect(await fs.readFile(path.join(dir, 'data/train-00000.parquet'), 'utf8')).toBe('PAR1');
    } finally {
      await datasets.close();
    }
  });
});

describe('resolveModelDir with a local folder', () => {
  it('returns the folder itself, and names a missing required file', async () => {
    const dir = path.join(tmp, 'local-model');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'config.json'), '{}');
    const { result, requests } = await requestsDuring(hub, () => resolveModelDir({ repoOrPath: dir, files: ['config.json'], optionalFiles: ['vocab.txt'] }));
    expect(result).toBe(dir);
    expect(requests).toEqual([]);
    const missing = await failure(() => resolveModelDir({ repoOrPath: dir, files: ['config.json', 'model.safetensors'] }));
    expect(missing.message).toBe(`${path.join(dir, 'model.safetensors')}: required file model.safetensors is missing from the folder`);
    const absent = path.join(tmp, 'no-such-folder');
    expect((await failure(() => resolveModelDir({ repoOrPath: absent, files: [] }))).message).toBe(`${absent}: folder not found`);
    expect((await failure(() => resolveModelDir({ repoOrPath: dir, files: ['../secret'] }))).code).toBe('BAD_FILE_NAME');
  });
});
