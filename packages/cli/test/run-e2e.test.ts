import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { BertModel, type BertConfig } from '@koenbert/bert';
import { initBackend, readJsonl } from '@koenbert/tensor-utils';
import { runLayout } from '../src/index';
import { describeIfSharedData, REPO_ROOT, runCli, SHARED_DATA } from './helpers';

const TOKENIZERS = { ko: 'tokenizers/kcelectra-base', en: 'tokenizers/bert-base-uncased' } as const;

/** A random tiny BERT (hidden 16, 1 layer) with a real tokenizer's vocab, saved with that tokenizer's files. */
async function makeTeacher(p: { dir: string; tokenizer: string; seed: number }): Promise<void> {
  const files = await fs.readdir(p.tokenizer);
  const vocabSize = (await fs.readFile(path.join(p.tokenizer, 'vocab.txt'), 'utf8')).split('\n').filter((line) => line !== '').length;
  const config = { vocab_size: vocabSize, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 64, type_vocab_size: 2, initializer_range: 0.2 } as BertConfig;
  const model = BertModel.create({ config, task: 'masked-lm', seed: p.seed });
  await fs.mkdir(p.dir, { recursive: true });
  await model.savePretrained(p.dir);
  model.dispose();
  for (const file of files) await fs.copyFile(path.join(p.tokenizer, file), path.join(p.dir, file));
}

describeIfSharedData([TOKENIZERS.ko, TOKENIZERS.en, 'klue/ynat', 'glue/sst2', 'text/ko/kolaw-constitution.txt', 'text/en/wikitext-2-valid.txt'], 'koenbert run (tiny pipeline, configs/ci-tiny.yaml)', () => {
  let root: string;
  let configFile: string;
  let cwd: string;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    cwd = process.cwd();
    process.chdir(REPO_ROOT); // the config's ../shared/data paths are relative to the repository root
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-run-'));
    await makeTeacher({ dir: path.join(root, 'teachers/ko'), tokenizer: path.join(SHARED_DATA, TOKENIZERS.ko), seed: 1 });
    await makeTeacher({ dir: path.join(root, 'teachers/en'), tokenizer: path.join(SHARED_DATA, TOKENIZERS.en), seed: 2 });
    const config = parseYaml(await fs.readFile(path.join(REPO_ROOT, 'configs/ci-tiny.yaml'), 'utf8')) as Record<string, unknown>;
    Object.assign(config, { output: path.join(root, 'run'), korean: path.join(root, 'teachers/ko'), english: path.join(root, 'teachers/en') });
    configFile = path.join(root, 'ci-tiny.yaml');
    await fs.writeFile(configFile, stringifyYaml(config));
  });

  afterAll(async () => {
    process.chdir(cwd);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('stops distill on a signal, resumes it, finishes with a report, skips every stage, then reruns what an edit changed', async () => {
    const out = runLayout(path.join(root, 'run'), 'koenbert-small');

    // 1st run: merge, init, then distill is stopped after its first checkpoint (as SIGINT/SIGTERM would)
    const controller = new AbortController();
    const first = await runCli(['--progress-interval', '0', 'run', '--config', configFile], {
      signal: controller.signal,
      onStderr: (text) => {
        if (text.includes('checkpoint at step 2')) controller.abort();
      },
    });
    expect(first.stderr).toContain('[merge-vocab] done');
    expect(first.stderr).toContain('[init-embeddings] done');
    expect(first.stderr).toMatch(/distill: stopped by abort at step (2|3)/);
    expect(first.code).toBe(0);
    expect(existsSync(path.join(out.student, 'model.safetensors'))).toBe(false);
    expect(existsSync(path.join(out.tokenizer, 'merge-map.json'))).toBe(true);
    expect(existsSync(path.join(out.tokenizer, 'koenbert-merge-vocab.jsonl'))).toBe(true);
    expect(existsSync(path.join(out.init, 'embed-init-report.json'))).toBe(true);

    // 2nd run: the finished stages are skipped, distill resumes from its checkpoint, eval and report run
    const second = await runCli(['--progress-interval', '0', 'run', '--config', configFile]);
    if (process.env.KOENBERT_TEST_VERBOSE) console.log(first.stderr, second.stderr, second.stdout);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('[merge-vocab] skipped');
    expect(second.stderr).toContain('[init-embeddings] skipped');
    expect(second.stderr).toContain('[distill] resuming from its last checkpoint');
    expect(second.stderr).toMatch(/distill: steps [34]\.\.6/);
    expect(second.stderr).toContain('distill: done at step 6');
    expect(second.stderr).toMatch(/distill 6\/6 \(100%\)/); // non-TTY progress lines
    for (const file of ['model.safetensors', 'config.json', 'loss-curve.svg', 'distill-log.jsonl']) expect(existsSync(path.join(out.student, file))).toBe(true);
    expect(existsSync(path.join(out.student, 'koenbert-distill.jsonl'))).toBe(false); // one log per stage: the stage's
    const distillLog = await readJsonl<{ event: string; step?: number }>(path.join(out.student, 'distill-log.jsonl'));
    expect(distillLog.filter((record) => record.event === 'step').map((record) => record.step)).toEqual(expect.arrayContaining([1, 2, 6]));

    for (const model of ['teacher-ko', 'teacher-en', 'merged-init', 'koenbert-small']) {
      for (const task of ['klue-ynat', 'glue-sst2']) expect(existsSync(path.join(out.eval, model, `${task}.json`))).toBe(true);
    }
    // eval.taskOptions.glue-sst2 overrides the shared maxLength for that task only
    const maxLength = async (task: string) => JSON.parse(await fs.readFile(path.join(out.eval, 'koenbert-small', `${task}.json`), 'utf8')).hyperparameters.maxLength;
    expect(await maxLength('klue-ynat')).toBe(32);
    expect(await maxLength('glue-sst2')).toBe(24);
    const report = await fs.readFile(path.join(out.report, 'report.md'), 'utf8');
    expect(report).toMatch(/\|.*klue-ynat|YNAT/i);
    expect(report).toMatch(/\|.*sst/i);
    for (const model of ['teacher-ko', 'teacher-en', 'merged-init', 'koenbert-small']) expect(report).toContain(model);
    expect(second.stdout.trim()).toBe(path.join(out.report, 'report.md'));

    // 3rd run: nothing left to do
    const third = await runCli(['run', '--config', configFile]);
    expect(third.code).toBe(0);
    const statuses = third.stderr.split('\n').filter((line) => line.startsWith('['));
    expect(statuses.length).toBe(3 + 8 + 1);
    for (const line of statuses) expect(line).toMatch(/\] skipped: /);

    // every output records what it was made from
    const distillRecord = JSON.parse(await fs.readFile(path.join(out.student, 'koenbert-run-inputs.json'), 'utf8'));
    expect(distillRecord).toMatchObject({ format: 'koenbert-run-inputs/1', unit: 'distill', config: { steps: 6 } });
    expect(distillRecord.inputs['student-init']).toMatch(/^run:[0-9a-f]{16}$/); // the student-init it started from, by its record's digest
    expect(existsSync(path.join(out.tokenizer, 'koenbert-run-inputs.json'))).toBe(true);
    expect(existsSync(path.join(out.eval, 'koenbert-small', 'glue-sst2.run-inputs.json'))).toBe(true);

    // 4th run: the config was edited; run names the changed keys and the flag in one line and touches nothing
    const edited = parseYaml(await fs.readFile(configFile, 'utf8')) as { distill: { steps: number }; eval: { options: { epochs: number } } };
    edited.distill.steps = 8;
    edited.eval.options.epochs = 2;
    await fs.writeFile(configFile, stringifyYaml(edited));
    const reportBefore = (await fs.stat(path.join(out.report, 'report.md'))).mtimeMs;
    const refused = await runCli(['run', '--config', configFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/ci-tiny\.yaml: changed since .*: distill\.steps 6 → 8; eval\.options\.epochs 1 → 2 — add --rerun-changed to redo distill, 8 eval results/);
    expect((await fs.stat(path.join(out.report, 'report.md'))).mtimeMs).toBe(reportBefore);

    // 5th run, --rerun-changed: distill and what depends on it run again; the rest is kept
    edited.eval.options.epochs = 1;
    await fs.writeFile(configFile, stringifyYaml(edited));
    const rerun = await runCli(['--progress-interval', '0', 'run', '--config', configFile, '--rerun-changed']);
    if (process.env.KOENBERT_TEST_VERBOSE) console.log(rerun.stderr);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain('[distill] rerunning (changed: distill.steps 6 → 8)');
    expect(rerun.stderr).toContain('distill: done at step 8');
    const lines = rerun.stderr.split('\n').filter((line) => line.startsWith('['));
    const skipped = lines.filter((line) => line.includes('] skipped: ')).map((line) => line.slice(1, line.indexOf(']')));
    expect(skipped).toEqual(['merge-vocab', 'init-embeddings', 'eval teacher-ko klue-ynat', 'eval teacher-ko glue-sst2', 'eval teacher-en klue-ynat', 'eval teacher-en glue-sst2', 'eval merged-init klue-ynat', 'eval merged-init glue-sst2']);
    for (const task of ['klue-ynat', 'glue-sst2']) expect(rerun.stderr).toContain(`[eval koenbert-small ${task}] rerunning`);
    expect(rerun.stderr).toContain('[report] done');
    const runLog = await readJsonl<{ stage: string; status: string }>(out.log);
    expect(runLog[runLog.length - 1]).toMatchObject({ stage: 'report' });

    // info summarises the distilled model
    const info = await runCli(['info', out.student]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^backend: wasm/);
    expect(info.stdout).toMatch(/hidden 16, layers 1, heads 2/);
    expect(info.stdout).toMatch(/parameters: [\d,]+ \(/);
    expect(info.stdout).toContain('merge-map.json present');

    // eval-merge rebuilds the report from the result files
    const merged = await runCli(['eval-merge', out.eval, '--output', path.join(root, 'report2')]);
    expect(merged.code).toBe(0);
    const remade = await fs.readFile(path.join(root, 'report2', 'report.md'), 'utf8');
    for (const model of ['teacher-ko', 'teacher-en', 'merged-init', 'koenbert-small']) expect(remade).toContain(model);
    expect(remade.split('\n').filter((line) => line.startsWith('|')).length).toBe(report.split('\n').filter((line) => line.startsWith('|')).length);
  });
});
