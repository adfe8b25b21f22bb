import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-cli-errors-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Exit 1 and the error as exactly one line on stderr, "koenbert: …", after any progress lines. */
function expectOneLineError(run: { code: number; stderr: string }, pattern: RegExp): void {
  expect(run.code).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines.filter((line) => line.startsWith('koenbert: '))).toHaveLength(1);
  expect(lines[lines.length - 1]).toMatch(/^koenbert: /);
  expect(lines[lines.length - 1]).toMatch(pattern);
}

describe('errors', () => {
  it('a missing config file', async () => {
    expectOneLineError(await runCli(['merge-vocab', '--config', path.join(dir, 'nope.yaml')]), /config file not found/);
  });

  it('a bad key in a config file names the file and the key', async () => {
    const file = path.join(dir, 'distill.yaml');
    await fs.writeFile(file, 'student: s\noutput: o\noptim:\n  lrr: 0.1\n');
    expectOneLineError(await runCli(['distill', '--config', file]), /distill\.yaml.*optim\.lrr: unknown key \(did you mean lr\?\)/);
  });

  it('a flag with a value of the wrong type', async () => {
    expectOneLineError(await runCli(['eval', '--model', 'm', '--task', 'klue-nli', '--cv', 'many']), /cv: expected number, got string "many"/);
  });

  it('a required option left out', async () => {
    expectOneLineError(await runCli(['init-embeddings', '--korean', 'k']), /english: required/);
  });

  it('a missing model folder', async () => {
    expectOneLineError(await runCli(['info', path.join(dir, 'no-model')]), /no-model/);
  });

  it('run: an unknown key in a stage section', async () => {
    const file = path.join(dir, 'run.yaml');
    await fs.writeFile(file, `output: ${dir}/run\nkorean: k\nenglish: e\nmergeVocab:\n  koreanTxt: [a.txt]\n`);
    expectOneLineError(await runCli(['run', '--config', file]), /run\.yaml: mergeVocab: koreanTxt: unknown key \(did you mean koreanText\?\)/);
  });

  it('run: an unreachable Hub says so in one line and points to the offline config', async () => {
    const file = path.join(dir, 'hub.yaml');
    await fs.writeFile(
      file,
      `output: ${dir}/hub-run\nkorean: klue/bert-base\nenglish: bert-base-uncased\nmergeVocab:\n  hubUrl: http://127.0.0.1:9\n  cacheDir: ${dir}/hf-cache\n`,
    );
    expectOneLineError(await runCli(['run', '--config', file]), /Hub cannot be reached.*configs\/offline-small\.yaml/);
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['run'])).code).toBe(2);
    expect((await runCli(['eval-merge'])).code).toBe(2);
  });
});
