import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './helpers';

const PACKAGES = readdirSync(path.join(REPO_ROOT, 'packages')).filter((name) => existsSync(path.join(REPO_ROOT, 'packages', name, 'package.json')));

describe('licence', () => {
  const root = readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8');

  it('the root LICENSE is the Apache License 2.0 text', () => {
    expect(root).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\//);
    expect(root).toContain('END OF TERMS AND CONDITIONS');
    expect(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).license).toBe('Apache-2.0');
  });

  it.each(PACKAGES)('%s: package.json says Apache-2.0, ships LICENSE ("files"), and the file is the root one', (name) => {
    const dir = path.join(REPO_ROOT, 'packages', name);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { license: string; files: string[] };
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.files).toContain('LICENSE');
    expect(readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toBe(root);
  });

  it('npm pack puts LICENSE in the tarball', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: path.join(REPO_ROOT, 'packages', 'cli'), encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
    expect(packed.files.map((file) => file.path)).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
  });
});
