import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DISTILL_LOG, PRETRAIN_LOG } from '@koenbert/distill';
import { firstStepEvent, initBackend, readJsonl } from '@koenbert/tensor-utils';
import { makeTinySetup, type TinySetup } from '../../distill/test/helpers/tiny-setup';
import { firstStepLine } from '../src/render/first-step-line';
import { makeTinyBert } from '../../eval-klue-glue/test/tiny-model';
import { describeIfSharedData, runCli, SHARED_DATA } from './helpers';

let root: string;
let tiny: TinySetup;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-first-step-'));
  tiny = await makeTinySetup(root);
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const FIRST_STEP = (stage: string, steps: number) => new RegExp(`^${stage}: first step \\d+\\.\\d s; ${steps} steps ≈ \\d+\\.\\d (s|minutes) at this speed$`, 'm');

describe('the first step reports its time and the whole run at that speed', () => {
  test('the line', () => {
    expect(firstStepLine(firstStepEvent({ stage: 'distill', seconds: 34.2, steps: 100_000 }))).toBe('distill: first step 34.2 s; 100,000 steps ≈ 39.6 days at this speed');
    expect(firstStepLine(firstStepEvent({ stage: 'eval:glue-mrpc', seconds: 0.5, steps: 1 }))).toBe('eval:glue-mrpc: first step 0.5 s; 1 step ≈ 0.5 s at this speed');
  });

  test('koenbert distill (tiny run): one line after the first step, and the event in the JSONL log', async () => {
    const output = path.join(root, 'distilled');
    const args = [
      'distill', '--student', tiny.student, '--output', output,
      '--teachers.en.model', tiny.teacherEn, '--teachers.ko.model', tiny.teacherKo,
      '--data.en', tiny.enText, '--data.ko', tiny.koText, '--data.maxLength', '32', '--data.shuffleBuffer', '50',
      '--loss.relationHeads', '4', '--optim.batchSize', '4', '--steps', '3', '--checkpoint.every', '10',
    ];
    const run = await runCli(args);
    expect(run.stderr).not.toContain('koenbert: ');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(FIRST_STEP('distill', 3));
    expect(run.stderr.match(/first step/g)).toHaveLength(1);
    // one log, the stage's: the CLI writes none of its own beside it
    expect(existsSync(path.join(output, 'koenbert-distill.jsonl'))).toBe(false);
    const records = await readJsonl<{ event: string; seconds?: number; steps?: number; runSeconds?: number; etaSeconds?: number }>(path.join(output, DISTILL_LOG));
    const first = records.filter((r) => r.event === 'first-step');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ stage: 'distill', steps: 3 });
    expect(first[0].seconds).toBeGreaterThan(0);
    expect(first[0].runSeconds).toBeCloseTo(3 * first[0].seconds!, 6);
    expect(first[0].etaSeconds).toBeCloseTo(2 * first[0].seconds!, 6);
    // it comes right after the first step
    const index = records.findIndex((r) => r.event === 'first-step');
    expect(records.slice(0, index).filter((r) => r.event === 'step')).toHaveLength(1);

    // --overwrite starts over and clears what the stage wrote: the one log holds the new run only
    const again = await runCli([...args, '--overwrite']);
    expect(again.code).toBe(0);
    const after = await readJsonl<{ event: string }>(path.join(output, DISTILL_LOG));
    expect(after.filter((r) => r.event === 'start')).toHaveLength(1);
    expect(after.filter((r) => r.event === 'step')).toHaveLength(3);
    expect(existsSync(path.join(output, 'koenbert-distill.jsonl'))).toBe(false);
  });

  test('koenbert pretrain-mlm (tiny run)', async () => {
    const output = path.join(root, 'teacher');
    const run = await runCli([
      'pretrain-mlm', '--tokenizer', tiny.teacherEn, '--data.files', tiny.enText, '--output', output,
      '--steps', '2', '--model.hiddenSize', '16', '--model.numLayers', '1', '--optim.batchSize', '2', '--data.maxLength', '16',
      '--eval.every', '2', '--eval.maxLines', '4',
    ]);
    expect(run.stderr).not.toContain('koenbert: ');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(FIRST_STEP('pretrain-mlm', 2));
    expect(existsSync(path.join(output, 'koenbert-pretrain-mlm.jsonl'))).toBe(false);
    const records = await readJsonl<{ event: string; stage?: string; steps?: number }>(path.join(output, PRETRAIN_LOG));
    expect(records.filter((r) => r.event === 'first-step')).toEqual([expect.objectContaining({ stage: 'pretrain-mlm', steps: 2 })]);
  });
});

describeIfSharedData(['glue/mrpc', 'models/tiny-random-bert'], 'eval fine-tuning', () => {
  test('koenbert eval (tiny run): the first step of all folds and seeds', async () => {
    const model = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'models/tiny-random-bert') });
    // 2 folds of 16 examples, 1 epoch, batch 4, 10 % of each training part held out: 2 steps per fold
    const run = await runCli(['eval', '--model', model, '--task', 'glue-mrpc', '--dataDir', SHARED_DATA, '--limit', '16', '--cv', '2', '--epochs', '1', '--batchSize', '4', '--maxLength', '32']);
    expect(run.stderr).not.toContain('koenbert: ');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(FIRST_STEP('eval:glue-mrpc', 4));
    expect(run.stderr.match(/first step/g)).toHaveLength(1);
  });
});
