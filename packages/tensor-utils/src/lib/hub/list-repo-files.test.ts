import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalHubServer, type LocalHubServer } from '../testing/start-local-hub-server';
import { listRepoFiles } from './list-repo-files';
import { resolveModelDir } from './resolve-model-dir';

const DATASET = 'koenbert/parallel';
const shards = {
  'README.md': '# parallel',
  'data/train-00000-of-00002.parquet': Buffer.alloc(100, 1),
  'data/train-00001-of-00002.parquet': Buffer.alloc(50, 2),
  'data/validation/validation-00000-of-00001.parquet': Buffer.alloc(10, 3),
};

describe('listRepoFiles', () => {
  let hub: LocalHubServer;
  let tmp: string;
  beforeAll(async () => {
    hub = await startLocalHubServer({ repos: { [DATASET]: shards }, repoType: 'dataset' });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-list-'));
    jest.spyOn(console, 'debug').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    await hub.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('lists every file of a dataset repo with sizes, or those under one folder', async () => {
    const all = await listRepoFiles({ repoOrPath: DATASET, repoType: 'dataset', hubUrl: hub.url, cacheDir: tmp });
    expect(all).toEqual([
      { path: 'README.md', size: 10 },
      { path: 'data/train-00000-of-00002.parquet', size: 100 },
      { path: 'data/train-00001-of-00002.parquet', size: 50 },
      { path: 'data/validation/validation-00000-of-00001.parquet', size: 10 },
    ]);
    const validation = await listRepoFiles({ repoOrPath: DATASET, repoType: 'dataset', folder: 'data/validation', hubUrl: hub.url, cacheDir: tmp });
    expect(validation.map((f) => f.path)).toEqual(['data/validation/validation-00000-of-00001.parquet']);
  });

  it('lists a local folder, and the cached files when offline', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const dir = await resolveModelDir({
      repoOrPath: DATASET,
      repoType: 'dataset',
      files: ['data/train-00000-of-00002.parquet', 'README.md'],
      hubUrl: hub.url,
      cacheDir,
    });
    expect(await listRepoFiles({ repoOrPath: dir })).toEqual([
      { path: 'README.md', size: 10 },
      { path: 'data/train-00000-of-00002.parquet', size: 100 },
    ]);
    const before = hub.requests.length;
    const offline = await listRepoFiles({ repoOrPath: DATASET, repoType: 'dataset', offline: true, cacheDir });
    expect(offline.map((f) => f.path)).toEqual(['README.md', 'data/train-00000-of-00002.parquet']);
    expect(hub.requests.length).toBe(before);
  });
});
