import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const script = path.join(__dirname, 'internal-api.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

describe('tools/api/internal-api.mjs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'koenbert-api-'));
  const doc = path.join(dir, 'internal-api.md');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every entry point with kinds and signatures, and --check accepts what it wrote', () => {
    expect(run('--doc', doc).status).toBe(0);
    const text = readFileSync(doc, 'utf8');
    expect(text).toMatch(/^## @koenbert\/tensor-utils \(\d+ names\)$/m);
    expect(text).toMatch(/^## @koenbert\/tensor-utils\/testing \(\d+ names\)$/m);
    expect(text).toMatch(/^function initBackend\(params\?: InitBackendParams\): Promise<BackendChoice>$/m);
    expect(text).toMatch(/^class BertModel \{$/m);
    expect(text.indexOf('## @koenbert/tensor-utils ')).toBeLessThan(text.indexOf('## @koenbert/bert '));
    expect(run('--doc', doc, '--check').status).toBe(0);
  });

  it('--check fails with one line naming the file when the doc differs', () => {
    writeFileSync(doc, readFileSync(doc, 'utf8').replace('function initBackend(', 'function initBackendRenamed('));
    const check = run('--doc', doc, '--check');
    expect(check.status).toBe(1);
    expect(check.stderr.trim().split('\n')).toHaveLength(1);
    expect(check.stderr).toContain(`${doc} is stale`);
  });
});
