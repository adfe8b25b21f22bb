import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import { initBackend, readJsonl, readSafetensors, type TensorRecord } from '@koenbert/tensor-utils';
import { distill, distillIter, type DistillConfigInput, type DistillEvent } from '../src';
import { latestCheckpoint, readCheckpointState } from '../src/lib/train/checkpoint';
import { makeTinySetup, type TinySetup } from './helpers/tiny-setup';
import { removeDir, tempDir } from './helpers/temp-dir';

let root: string;
let tiny: TinySetup;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await tempDir();
  tiny = await makeTinySetup(root);
});
afterAll(() => removeDir(root));

function baseConfig(name: string, overrides: Partial<DistillConfigInput> = {}): DistillConfigInput {
  return {
    student: tiny.student,
    output: path.join(root, 'runs', name),
    teachers: { en: { model: tiny.teacherEn }, ko: { model: tiny.teacherKo } },
    steps: 6,
    seed: 7,
    data: { en: [tiny.enText], ko: [tiny.koText], maxLength: 32, shuffleBuffer: 50 },
    loss: { relationHeads: 4 },
    optim: { lr: 1e-3, batchSize: 4, warmupSteps: 0 },
    checkpoint: { every: 2, keep: 2 },
    ...overrides,
  };
}

async function collect(config: DistillConfigInput, options: Parameters<typeof distillIter>[1] = {}, onEvent?: (e: DistillEvent) => void): Promise<DistillEvent[]> {
  const events: DistillEvent[] = [];
  for await (const event of distillIter(config, { handleProcessSignals: false, ...options })) {
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

const stepsOf = (events: DistillEvent[]) => events.filter((e): e is Extract<DistillEvent, { type: 'step' }> => e.type === 'step');

async function weights(dir: string): Promise<Map<string, TensorRecord>> {
  return (await readSafetensors(path.join(dir, 'model.safetensors'))).tensors;
}

describe('distillIter on tiny random models', () => {
  it('a student that is a copy of the Korean teacher has loss 0 at step 0', async () => {
    const before = tf.memory().numTensors;
    const events = await collect(
      baseConfig('copy', {
        student: tiny.studentCopyOfKo,
        steps: 1,
        data: { ko: [tiny.koText], maxLength: 32 },
        optim: { batchSize: 4, studentDropout: false },
      }),
    );
    const [first] = stepsOf(events);
    expect(first.lang).toBe('ko');
    expect(first.tokens).toBeGreaterThan(4 * 25);
    expect(first.loss).toBeLessThan(1e-6);
    expect(first.loss).toBeGreaterThanOrEqual(-1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the relation loss falls at least 2.5× within 120 steps (both languages; measured 0.94 → 0.28, 3.4×), and the output is a BertForMaskedLM folder', async () => {
    const config = baseConfig('falls', { steps: 120, optim: { lr: 1e-2, batchSize: 4, warmupSteps: 3, studentDropout: false }, checkpoint: { every: 100, keep: 1 } });
    const events = await collect(config);
    const steps = stepsOf(events);
    expect(steps.length).toBe(config.steps);
    expect(new Set(steps.map((s) => s.lang))).toEqual(new Set(['en', 'ko']));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(steps.slice(0, 5).map((s) => s.loss));
    const last = mean(steps.slice(-5).map((s) => s.loss));
    // eslint-disable-next-line no-console
    console.log(`relation loss: first 5 steps ${first.toFixed(4)}, last 5 steps ${last.toFixed(4)} (×${(first / last).toFixed(1)})`);
    expect(steps.every((s) => Number.isFinite(s.loss) && Number.isFinite(s.gradNorm))).toBe(true);
    expect(first / last).toBeGreaterThan(2.5);

    const done = events.find((e) => e.type === 'done') as Extract<DistillEvent, { type: 'done' }>;
    const output = config.output;
    expect(done.files).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'vocab.txt', 'merge-map.json', 'loss-curve.svg', 'distill-log.jsonl']));
    const saved = await weights(output);
    const names = [...saved.keys()];
    expect(names.every((n) => n.startsWith('bert.embeddings.') || n.startsWith('bert.encoder.') || n.startsWith('cls.predictions.'))).toBe(true);
    expect(names).toContain('cls.predictions.transform.dense.weight');
    expect(JSON.parse(await fs.readFile(path.join(output, 'config.json'), 'utf8')).architectures).toEqual(['BertForMaskedLM']);
    // every weight on the loss path changed; the MLM head (not on it) did not
    const initial = await weights(tiny.student);
    const changed = (name: string) => !Buffer.from(saved.get(name)!.data.buffer).equals(Buffer.from(initial.get(name)!.data.buffer));
    for (const name of ['bert.embeddings.word_embeddings.weight', 'bert.encoder.layer.0.output.dense.weight', 'bert.encoder.layer.1.attention.self.value.weight']) {
      expect(changed(name)).toBe(true);
    }
    expect(changed('cls.predictions.transform.dense.weight')).toBe(false);
    const reloaded = await BertModel.fromPretrained(output, { task: 'masked-lm' });
    expect(reloaded.loadReport!.missing).toEqual([]);
    reloaded.dispose();
    const svg = await fs.readFile(path.join(output, 'loss-curve.svg'), 'utf8');
    expect(svg).toContain('loss (en)');
    expect(svg).toContain('loss (ko)');
  });

  it('stopped at step 3 (SIGTERM) and resumed ends with weights bit-identical to an uninterrupted run', async () => {
    const overrides = {
      optim: { lr: 2e-3, batchSize: 2, gradAccumulation: 2, warmupSteps: 2, freezeOldEmbeddings: true },
      data: { en: [tiny.enText], ko: [tiny.koText], maxLength: 24, shuffleBuffer: 30 },
    };
    await collect(baseConfig('straight', overrides));
    const straight = await weights(path.join(root, 'runs', 'straight'));

    const interrupted = baseConfig('interrupted', overrides);
    const first = await collect(interrupted, { handleProcessSignals: true }, (event) => {
      if (event.type === 'step' && event.step === 3) process.emit('SIGTERM', 'SIGTERM');
    });
    expect(first.find((e) => e.type === 'stopped')).toMatchObject({ step: 3, reason: 'SIGTERM' });
    expect(first.some((e) => e.type === 'done')).toBe(false);
    const stoppedAt = await latestCheckpoint(path.join(interrupted.output, 'checkpoints'));
    expect((await readCheckpointState(stoppedAt!)).step).toBe(3);
    await expect(collect(interrupted)).rejects.toThrow(/already holds a run with checkpoints/);

    // as if the first run had gone on to step 5 and been killed (-9) before its next checkpoint: those lines get replayed
    const logFile = path.join(interrupted.output, 'distill-log.jsonl');
    await fs.appendFile(logFile, `${JSON.stringify({ event: 'step', step: 4, loss: 9 })}\n${JSON.stringify({ event: 'step', step: 5, loss: 9 })}\n{"event":"st`);
    const resumed = await collect({ ...interrupted, resume: true });
    expect(resumed[0]).toMatchObject({ type: 'start', startStep: 3 });
    expect(stepsOf(resumed).map((s) => s.step)).toEqual([4, 5, 6]);
    const after = await weights(interrupted.output);
    expect([...after.keys()]).toEqual([...straight.keys()]);
    for (const [name, record] of straight) {
      expect(Buffer.from(after.get(name)!.data.buffer).equals(Buffer.from(record.data.buffer))).toBe(true);
    }
    // frozen: the Korean rows of the word embeddings did not move, the added English rows did
    const initial = (await weights(tiny.student)).get('bert.embeddings.word_embeddings.weight')!.data as Float32Array;
    const trained = straight.get('bert.embeddings.word_embeddings.weight')!.data as Float32Array;
    const hidden = 32;
    const cut = tiny.koreanVocabSize * hidden;
    expect(Buffer.from(trained.buffer, 0, cut * 4).equals(Buffer.from(initial.buffer, 0, cut * 4))).toBe(true);
    expect(Buffer.from(trained.buffer, cut * 4).equals(Buffer.from(initial.buffer, cut * 4))).toBe(false);
    // the log holds the interrupted steps, the resume record and the rest
    const log = await readJsonl<{ event: string; step: number }>(path.join(interrupted.output, 'distill-log.jsonl'));
    expect(log.filter((r) => r.event === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.some((r) => r.event === 'resume' && r.step === 3)).toBe(true);
    expect(log.filter((r) => r.event === 'step').every((r) => (r as { loss?: number }).loss !== 9)).toBe(true);
    // resuming the finished run trains nothing and replays nothing
    const again = await collect({ ...interrupted, resume: true });
    expect(again[0]).toMatchObject({ type: 'start', startStep: 6, totalSteps: 6 });
    expect(stepsOf(again)).toEqual([]);
    const logAgain = await readJsonl<{ event: string; step: number }>(logFile);
    expect(logAgain.filter((r) => r.event === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('logs how many corpus lines were over data.maxLineBytes (split, here) instead of choking on them', async () => {
    const config = baseConfig('overlong', { steps: 2, data: { en: [tiny.enText], ko: [tiny.koText], maxLength: 32, shuffleBuffer: 50, maxLineBytes: 24 } });
    const events = await collect(config);
    expect(stepsOf(events)).toHaveLength(2);
    const log = await readJsonl<{ event: string; split?: number; skipped?: number; maxLineBytes?: number }>(path.join(config.output, 'distill-log.jsonl'));
    const overlong = log.filter((r) => r.event === 'overlong-lines');
    expect(overlong.length).toBeGreaterThan(0);
    expect(overlong.at(-1)).toMatchObject({ skipped: 0, maxLineBytes: 24 });
    expect(overlong.at(-1)!.split).toBeGreaterThan(0);
  });

  it('a non-finite loss stops the run with the step number and keeps the last good checkpoint', async () => {
    const config = baseConfig('diverges', { steps: 10, optim: { lr: 1e30, batchSize: 2, warmupSteps: 0, maxGradNorm: 0 }, checkpoint: { every: 1, keep: 3 } });
    const events: DistillEvent[] = [];
    await expect(collect(config, {}, (e) => events.push(e))).rejects.toThrow(/is (NaN|Infinity|-Infinity) at step \d+/);
    const failure = events.find((e) => e.type === 'non-finite') as Extract<DistillEvent, { type: 'non-finite' }>;
    expect(failure).toBeDefined();
    const latest = await latestCheckpoint(path.join(config.output, 'checkpoints'));
    const state = await readCheckpointState(latest!);
    expect(state.step).toBe(failure.step - 1);
    expect(stepsOf(events).every((s) => Number.isFinite(s.loss))).toBe(true);
  });

  it('distill() drains the iterator; config errors name the field', async () => {
    const result = await distill({ ...baseConfig('drained', { steps: 2 }), optim: { batchSize: 2 } });
    expect(result).toMatchObject({ step: 2, stopped: false });
    await expect(distill(baseConfig('bad-heads', { loss: { relationHeads: 5 } }))).rejects.toThrow(/hidden size 32 does not split into 5 relation heads/);
    await expect(distill({ ...baseConfig('bad-layer'), studentLayer: 3 })).rejects.toThrow(/studentLayer: layer 3 is outside 1…2/);
  });
});
