// The workspace test command: every package's jest suite through nx, one at a time (2 cores),
// then one closing line "N passed, N failed, N skipped" summed over packages.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'tmp', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });

const nx = spawnSync('npx', ['nx', 'run-many', '-t', 'test', '--parallel=1', '--output-style=static', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { NX_DAEMON: 'false', ...process.env },
});

const totals = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(resultsDir)) {
  for (const file of readdirSync(resultsDir)) {
    const result = JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8'));
    console.log(`${result.package}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
    for (const key of Object.keys(totals)) totals[key] += result[key];
  }
}
const status = nx.status ?? 1;
if (status !== 0 && totals.failed === 0) totals.failed = 1; // a package that crashed before reporting
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
