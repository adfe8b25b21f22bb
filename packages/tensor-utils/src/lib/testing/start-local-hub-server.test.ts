import { createHash } from 'node:crypto';
import { startLocalHubServer, type LocalHubServer } from './start-local-hub-server';

const config = '{"hidden_size": 32}';
const weights = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));

describe('startLocalHubServer', () => {
  let hub: LocalHubServer;
  beforeAll(async () => {
    hub = await startLocalHubServer({ repos: { 'owner/tiny': { 'config.json': config, 'model.safetensors': weights, 'sub/dir/a.txt': 'a' } } });
  });
  afterAll(() => hub.close());

  it('listens on 127.0.0.1 and resolves files with Range, ETag and 206', async () => {
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const probe = await fetch(`${hub.url}/owner/tiny/resolve/main/model.safetensors`, { headers: { Range: 'bytes=0-0' } });
    expect(probe.status).toBe(206);
    expect(probe.headers.get('content-range')).toBe('bytes 0-0/300');
    expect(probe.headers.get('etag')).toBe(`"${createHash('sha256').update(weights).digest('hex')}"`);
    expect(Buffer.from(await probe.arrayBuffer())).toEqual(weights.subarray(0, 1));
    const middle = await fetch(`${hub.url}/owner/tiny/resolve/${hub.commits['owner/tiny']}/model.safetensors`, { headers: { Range: 'bytes=10-19' } });
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(weights.subarray(10, 20));
    const whole = await fetch(`${hub.url}/owner/tiny/resolve/main/config.json`);
    expect(whole.status).toBe(200);
    expect(await whole.text()).toBe(config);
    // a small (non-LFS) file's ETag is its git blob id
    const gitOid = createHash('sha1').update(`blob ${config.length}\0${config}`).digest('hex');
    expect(whole.headers.get('etag')).toBe(`"${gitOid}"`);
    expect((await fetch(`${hub.url}/owner/tiny/resolve/main/config.json`, { headers: { Range: 'bytes=500-' } })).status).toBe(416);
  });

  it('answers missing files, repos and revisions with 404 and an X-Error-Code', async () => {
    const missing = await fetch(`${hub.url}/owner/tiny/resolve/main/nope.bin`);
    expect([missing.status, missing.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound']);
    const repo = await fetch(`${hub.url}/api/models/owner/other/revision/main`);
    expect([repo.status, repo.headers.get('x-error-code')]).toEqual([404, 'RepoNotFound']);
    const revision = await fetch(`${hub.url}/owner/tiny/resolve/v9/config.json`);
    expect([revision.status, revision.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
  });

  it('serves revision, tree and paths-info', async () => {
    const info = (await (await fetch(`${hub.url}/api/models/owner/tiny/revision/main`)).json()) as { id: string; sha: string };
    expect(info).toMatchObject({ id: 'owner/tiny', sha: hub.commits['owner/tiny'] });
    const top = (await (await fetch(`${hub.url}/api/models/owner/tiny/tree/main`)).json()) as Array<{ path: string; type: string }>;
    expect(top.map((e) => [e.path, e.type])).toEqual([['config.json', 'file'], ['model.safetensors', 'file'], ['sub', 'directory']]);
    const deep = (await (await fetch(`${hub.url}/api/models/owner/tiny/tree/main/sub?recursive=true`)).json()) as Array<{ path: string }>;
    expect(deep.map((e) => e.path)).toEqual(['sub/dir', 'sub/dir/a.txt']);
    const paths = await fetch(`${hub.url}/api/models/owner/tiny/paths-info/main`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ paths: ['model.safetensors', 'missing.txt'], expand: true }),
    });
    const entries = (await paths.json()) as Array<{ path: string; size: number; lfs?: { oid: string }; lastCommit?: { id: string } }>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ path: 'model.safetensors', size: 300, lastCommit: { id: hub.commits['owner/tiny'] } });
    expect(entries[0].lfs?.oid).toBe(createHash('sha256').update(weights).digest('hex'));
  });
});
