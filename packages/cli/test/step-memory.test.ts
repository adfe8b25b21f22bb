import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDistillConfig } from '@koenbert/distill';
import { explainOutOfMemory, isKoenbertError, memoryLimits } from '@koenbert/tensor-utils';
import { parseEvalConfig } from '@koenbert/eval-klue-glue';
import { plannedDistillStep, plannedEvalStep, withOutOfMemoryMessage } from '../src/commands/step-memory';
import { checkStepMemory } from '@koenbert/tensor-utils';
import { describeIfSharedData, runCli, SHARED_DATA } from './helpers';

// Config-only folders (config.json, no weights): the check reads sizes only, before any data or weights.
const bertBase = (vocab: number) => ({
  architectures: ['BertModel'],
  model_type: 'bert',
  vocab_size: vocab,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  max_position_embeddings: 512,
  type_vocab_size: 2,
});
const small = (vocab: number) => ({ ...bertBase(vocab), hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 512 });

let dir: string;
const folder = async (name: string, config: object) => {
  const where = path.join(dir, name);
  await fs.mkdir(where, { recursive: true });
  await fs.writeFile(path.join(where, 'config.json'), JSON.stringify(config));
  return where;
};
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-step-memory-'));
  await folder('base-student', bertBase(77_780));
  await folder('base-en', bertBase(30_522));
  await folder('base-ko', bertBase(32_000));
  await folder('small-student', small(77_780));
  await folder('small-en', small(30_522));
  await folder('small-ko', small(50_135));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const distillArgs = (prefix: string, extra: string[] = []) => [
  'distill',
  '--student', path.join(dir, `${prefix}-student`),
  '--output', path.join(dir, `${prefix}-run`),
  '--teachers.en.model', path.join(dir, `${prefix}-en`),
  '--teachers.ko.model', path.join(dir, `${prefix}-ko`),
  '--data.en', path.join(dir, 'no-such-en.txt'),
  '--data.ko', path.join(dir, 'no-such-ko.txt'),
  ...extra,
];

describe('training steps that cannot fit are refused before any data is read', () => {
  test('distill at the original recipe sizes on wasm: one line with the numbers and the flags', async () => {
    const run = await runCli(distillArgs('base', ['--preset', 'seed']));
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    const last = lines[lines.length - 1];
    expect(lines.filter((line) => line.startsWith('koenbert: '))).toHaveLength(1);
    expect(last).toMatch(/^koenbert: distill: one training step of batch 16 × 256 tokens needs about \d+\.\d GiB on wasm \(weights 556 MiB \+ gradients 556 MiB \+ AdamW moments 1\.1 GiB \+ teachers \(220M params\) 840 MiB \+ activations of 16 × 256 tokens \d+\.\d GiB\), more than the wasm heap's 4 GiB\. Ways out: /);
    // on wasm no micro-batch of these models fits: weights, moments, teachers and two gradient maps take 3.6 GiB
    expect(last).toContain("Ways out: none on wasm: even batch 1 × 32 tokens with accumulation needs about 3.6 GiB, too close to the wasm heap's 4 GiB to train safely; or install");
    expect(last).toContain('install @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA 11.2, cuDNN 8.1)');
    expect(last).not.toContain('out of bounds');
    // refused before the stage ran: no output folder, and the missing corpus files were never opened
    await expect(fs.stat(path.join(dir, 'base-run'))).rejects.toThrow();
    expect(run.stderr).not.toContain('no-such-en.txt');
  });

  test('a step a micro-batch fixes names the flags that keep the batch', async () => {
    const run = await runCli(distillArgs('small', ['--optim.batchSize', '64', '--data.maxLength', '512', '--loss.relationHeads', '32']));
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n').pop()).toMatch(/Ways out: --optim\.batchSize (\d+) --optim\.gradAccumulation (\d+) \(the same 64 sequences per step\), about \d\.\d GiB; or install/);
  });

  test('a small config passes the same check', async () => {
    const config = parseDistillConfig({
      student: path.join(dir, 'small-student'),
      output: path.join(dir, 'small-run'),
      teachers: { en: { model: path.join(dir, 'small-en') }, ko: { model: path.join(dir, 'small-ko') } },
      data: { en: ['en.txt'], ko: ['ko.txt'] },
      optim: { batchSize: 8 },
    });
    const step = await plannedDistillStep(config);
    const check = checkStepMemory({ ...step, limits: memoryLimits({ backend: 'wasm' }) });
    expect(check.fits).toBe(true);
    expect(check.need.totalBytes).toBeLessThan(2 ** 30);
  });

  test('eval: a BERT-base-size model at batch 32 × 128 on wasm is refused with the --microBatchSize that fits; with it, it passes', async () => {
    const model = await folder('base-classifier', bertBase(32_000));
    const run = await runCli(['eval', '--model', model, '--task', 'glue-mrpc', '--dataDir', path.join(dir, 'no-data')]);
    expect(run.code).toBe(1);
    const last = run.stderr.trimEnd().split('\n').pop()!;
    const match = /^koenbert: eval glue-mrpc: one training step of batch 32 × 128 tokens needs about \d+\.\d GiB on wasm .* Ways out: --microBatchSize (\d+) \(the same 32 sequences per step\), about \d\.\d GiB; or install @tensorflow\/tfjs-node/.exec(last);
    expect(match).not.toBeNull();
    const micro = Number(match![1]);
    const config = parseEvalConfig({ model, task: 'glue-mrpc', microBatchSize: micro });
    const check = checkStepMemory({ ...(await plannedEvalStep(config)), limits: memoryLimits({ backend: 'wasm' }) });
    expect(check.fits).toBe(true);
    const refused = checkStepMemory({ ...(await plannedEvalStep(parseEvalConfig({ model, task: 'glue-mrpc', microBatchSize: 16 }))), limits: memoryLimits({ backend: 'wasm' }) });
    expect(refused.message).toContain('one training step of batch 32 in micro-batches of 16 × 128 tokens needs');
  });

  test('info <model> prints the estimate on the picked backend', async () => {
    const run = await runCli(['info', path.join(dir, 'base-classifier')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/training step estimate on wasm \(fine-tuning, batch 32 × 128; the wasm heap's 4 GiB\):\n {4}weights 422 MiB \+ gradients 422 MiB \+ AdamW moments 844 MiB \+ activations of 32 × 128 tokens \d+\.\d GiB = \d+\.\d GiB: does not fit\n {4}more than the wasm heap's 4 GiB\. Ways out: --microBatchSize \d+ \(the same 32 sequences per step\)/);
    const fits = await runCli(['info', path.join(dir, 'small-student')]);
    expect(fits.stdout).toMatch(/= \d+ MiB: fits/);
  });

  test('"memory access out of bounds" inside training becomes the same one line', async () => {
    const config = parseDistillConfig({
      student: path.join(dir, 'small-student'),
      output: path.join(dir, 'small-run'),
      teachers: { en: { model: path.join(dir, 'small-en') }, ko: { model: path.join(dir, 'small-ko') } },
      data: { en: ['en.txt'], ko: ['ko.txt'] },
      optim: { batchSize: 8 },
    });
    const step = await plannedDistillStep(config);
    const failing = withOutOfMemoryMessage({ step, limits: memoryLimits({ backend: 'wasm' }) }, async () => {
      // @ts-expect-error -- Node has the WebAssembly global, @types/node 20 does not declare it (see tensor-utils' web-assembly-api.ts)
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    });
    const error = await failing.catch((e: unknown) => e);
    expect(isKoenbertError(error) && error.code).toBe('OUT_OF_MEMORY');
    expect((error as Error).message).toMatch(
      /^distill: ran out of memory on wasm during training \(memory access out of bounds; the estimate was \d\.\d GiB of the wasm heap's 4 GiB\)\. Ways out: --optim\.batchSize 4 --optim\.gradAccumulation 2 \(the same 8 sequences per step\), about \d+ MiB; or install @tensorflow\/tfjs-node/,
    );
    // the stage says it first, in its config keys (a library caller's line); the CLI says it again in its flags
    const fromStage = withOutOfMemoryMessage({ step, limits: memoryLimits({ backend: 'wasm' }) }, async () => {
      // @ts-expect-error -- Node has the WebAssembly global, @types/node 20 does not declare it (see tensor-utils' web-assembly-api.ts)
      const heap = new WebAssembly.RuntimeError('memory access out of bounds');
      throw explainOutOfMemory({ error: heap, step: await plannedDistillStep(config, (key) => key), limits: memoryLimits({ backend: 'wasm' }) });
    });
    const said = (await fromStage.catch((e: unknown) => e)) as Error;
    expect(said.message).toBe((error as Error).message);
    const other = withOutOfMemoryMessage({ step, limits: memoryLimits({ backend: 'wasm' }) }, async () => {
      throw new Error('ENOENT: en.txt');
    });
    await expect(other).rejects.toThrow('ENOENT: en.txt');
  });
});

describeIfSharedData(['tokenizers/kcelectra-base', 'tokenizers/bert-base-uncased', 'text/ko/kolaw-constitution.txt'], 'koenbert run', () => {
  test('refuses the distill stage of BERT-base-size teachers before merge-vocab runs', async () => {
    // teachers with config.json and the real tokenizers, no weights: the check needs sizes only
    const teachers: Record<string, string> = {};
    for (const [lang, tokenizer, vocab] of [['ko', 'kcelectra-base', 50_135], ['en', 'bert-base-uncased', 30_522]] as const) {
      teachers[lang] = await folder(`run-teacher-${lang}`, bertBase(vocab));
      for (const file of await fs.readdir(path.join(SHARED_DATA, 'tokenizers', tokenizer))) {
        await fs.copyFile(path.join(SHARED_DATA, 'tokenizers', tokenizer, file), path.join(teachers[lang], file));
      }
    }
    const output = path.join(dir, 'run-base');
    const file = path.join(dir, 'run-base.yaml');
    const text = path.join(SHARED_DATA, 'text/ko/kolaw-constitution.txt');
    await fs.writeFile(file, [
      `output: ${output}`, 'name: koenbert-base', `korean: ${teachers.ko}`, `english: ${teachers.en}`, 'offline: true',
      'distill:', '  preset: seed', `  data: { ko: [${text}], en: [${text}] }`,
      'eval:', '  tasks: [glue-mrpc]', '',
    ].join('\n'));
    const run = await runCli(['run', '--config', file]);
    expect(run.code).toBe(1);
    const last = run.stderr.trimEnd().split('\n').pop()!;
    expect(last).toMatch(/^koenbert: distill: one training step of batch 16 × 256 tokens needs about \d+\.\d GiB on wasm .* Ways out: none on wasm/);
    expect(run.stderr).not.toContain('[merge-vocab] running');
    await expect(fs.stat(path.join(output, 'merged-tokenizer'))).rejects.toThrow();
  });
});
