import { existsSync, promises as fs } from 'node:fs';
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

/** Exit `code` (1 failed, 2 usage error) and the error as exactly one line on stderr, "koenbert: …", after any progress lines. */
function expectOneLineError(run: { code: number; stderr: string }, pattern: RegExp, code: 1 | 2 = 1): void {
  expect(run.code).toBe(code);
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
    expectOneLineError(await runCli(['distill', '--config', file]), /distill\.yaml.*optim\.lrr: unknown key \(did you mean lr\?\)/, 2);
  });

  it('a flag with a value of the wrong type', async () => {
    expectOneLineError(await runCli(['eval', '--model', 'm', '--task', 'klue-nli', '--cv', 'many']), /cv: expected number, got string "many"/, 2);
  });

  it('a required option left out', async () => {
    expectOneLineError(await runCli(['init-embeddings', '--korean', 'k']), /english: required/, 2);
  });

  it('a missing model folder', async () => {
    expectOneLineError(await runCli(['info', path.join(dir, 'no-model')]), /no-model/);
  });

  it('run: an unknown key in a stage section', async () => {
    const file = path.join(dir, 'run.yaml');
    await fs.writeFile(file, `output: ${dir}/run\nkorean: k\nenglish: e\nmergeVocab:\n  koreanTxt: [a.txt]\n`);
    expectOneLineError(await runCli(['run', '--config', file]), /run\.yaml: mergeVocab: koreanTxt: unknown key \(did you mean koreanText\?\)/, 2);
  });

  it('run: an unreachable Hub says so in one line and points to the offline config', async () => {
    const file = path.join(dir, 'hub.yaml');
    await fs.writeFile(
      file,
      `output: ${dir}/hub-run\nkorean: klue/bert-base\nenglish: bert-base-uncased\nmergeVocab:\n  hubUrl: http://127.0.0.1:9\n  cacheDir: ${dir}/hf-cache\ndistill:\n  data:\n    en: [hf:x/y]\n`,
    );
    expectOneLineError(await runCli(['run', '--config', file]), /Hub cannot be reached.*configs\/offline-small\.yaml/);
  });

  it('run: a typo in any stage section or in the eval options is reported before the first stage starts', async () => {
    const cases: Array<[string, RegExp]> = [
      ['distill:\n  data:\n    en: [hf:x/y]\n  optim:\n    lrr: 0.1\n', /typo\.yaml: distill: optim\.lrr: unknown key \(did you mean lr\?\)/],
      ['initEmbeddings:\n  methd: ridge\n', /typo\.yaml: initEmbeddings: methd: unknown key \(did you mean method\?\)/],
      ['eval:\n  options:\n    epochz: 2\n', /typo\.yaml: eval\.options: epochz: unknown key \(did you mean epochs\?\)/],
      ['eval:\n  taskOptions:\n    klue-ner:\n      maxLength: many\n', /typo\.yaml: eval\.options, eval\.taskOptions\.klue-ner: maxLength: expected number/],
      ['eval:\n  models: [koenbert-small]\n', /typo\.yaml: eval\.models\[0\]: expected one of teacher-ko, teacher-en, merged-init, koenbert, got "koenbert-small"/],
    ];
    for (const [section, pattern] of cases) {
      const file = path.join(dir, 'typo.yaml');
      const output = path.join(dir, 'typo-run');
      const data = section.startsWith('distill') ? '' : 'distill:\n  data:\n    en: [hf:x/y]\n';
      await fs.writeFile(file, `output: ${output}\nkorean: k\nenglish: e\n${data}${section}`);
      const run = await runCli(['run', '--config', file]);
      expectOneLineError(run, pattern, 2);
      expect(run.stderr).not.toContain('[merge-vocab]');
      expect(existsSync(output)).toBe(false);
    }
  });

  it('run: a missing local teacher names the command that builds it', async () => {
    const file = path.join(dir, 'teachers.yaml');
    await fs.writeFile(file, `output: ${dir}/t-run\nkorean: runs/teachers/ko\nenglish: runs/teachers/en\ndistill:\n  data:\n    en: [hf:x/y]\n`);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expectOneLineError(await runCli(['run', '--config', file]), /teachers\.yaml: korean: runs\/teachers\/ko not found; build it with: node tools\/build-teachers\.mjs/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('run: a failing stage is recorded as failed in koenbert-run.jsonl', async () => {
    const empty = path.join(dir, 'not-a-tokenizer');
    await fs.mkdir(empty, { recursive: true });
    const file = path.join(dir, 'fails.yaml');
    await fs.writeFile(file, `output: ${dir}/fail-run\nkorean: ${empty}\nenglish: ${empty}\ndistill:\n  data:\n    en: [hf:x/y]\n`);
    expectOneLineError(await runCli(['run', '--config', file]), /not-a-tokenizer: neither tokenizer\.json nor vocab\.txt/);
    const log = (await fs.readFile(path.join(dir, 'fail-run', 'koenbert-run.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(log.map((entry) => [entry.stage, entry.status])).toEqual([
      ['merge-vocab', 'running'],
      ['merge-vocab', 'failed'],
    ]);
    expect(log[1].error).toMatch(/neither tokenizer\.json nor vocab\.txt/);
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['run'])).code).toBe(2);
    expect((await runCli(['eval-merge'])).code).toBe(2);
    expect((await runCli(['merge-vocab', '--korean', 'k', '--english', 'e', '--output', 'o', '--maxSentencesPerSource', 'lots'])).code).toBe(2);
    expect((await runCli(['distill', '--student', 's'])).code).toBe(2); // output and data missing
  });

  it('a broken config.json inside a model folder is bad input (exit 1), not a usage error', async () => {
    const model = path.join(dir, 'broken-model');
    await fs.mkdir(model, { recursive: true });
    await fs.writeFile(path.join(model, 'config.json'), '[]');
    expectOneLineError(await runCli(['info', model]), /broken-model\/config\.json: a BERT config must be a JSON object/);
  });

  it('--progress-interval takes a number of seconds', async () => {
    const run = await runCli(['--progress-interval', 'abc', 'info']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/option '--progress-interval <seconds>' argument 'abc' is invalid\. expected a number of seconds ≥ 0\./);
    expect((await runCli(['--progress-interval', '-1', 'info'])).code).toBe(2);
  });

  it('eval-merge names a missing path once', async () => {
    const missing = path.join(dir, 'nonexistent');
    const run = await runCli(['eval-merge', missing, '--output', path.join(dir, 'report')]);
    expectOneLineError(run, /no such file or folder/);
    expect(run.stderr.split(missing).length - 1).toBe(1);
  });
});
