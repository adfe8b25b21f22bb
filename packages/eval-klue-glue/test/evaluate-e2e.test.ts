import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { evaluate, evaluateIter, type EvaluateEvent } from '../src/lib/evaluate';
import { bertTaskOf } from '../src/lib/finetune/bert-task-of';
import { batchInputs } from '../src/lib/finetune/predict';
import { mergeResults } from '../src/lib/results/merge-results';
import type { PredictionRecord } from '../src/lib/results/prediction-records';
import { rescorePredictions } from '../src/lib/results/rescore-predictions';
import type { TaskResult } from '../src/lib/results/task-result';
import { renderMarkdownReport } from '../src/lib/report/render-markdown-report';
import { getTask, KLUE_NER_LABELS, type TaskName } from '../src/lib/tasks/task-registry';
import { collateBatch } from '../src/lib/tokenize/collate-batch';
import { encodeExamples } from '../src/lib/tokenize/encode-examples';
import { loadTokenizer } from '../src/lib/tokenize/load-tokenizer';
import { describeIfSharedData, SHARED_DATA } from './shared-data';
import { KNOWN_BIAS, nll, setKnownHead } from './known-logits';
import { makeTinyBert } from './tiny-model';

// Every task end to end on the real dev files with a tiny random BERT (hidden 32, 2 layers), subsampled with
// `limit` so the whole file runs in well under a minute on wasm. Tasks without a local train split use cv mode.
const RUNS: Array<{ task: TaskName; cv?: number; extra?: Record<string, unknown> }> = [
  { task: 'klue-ynat', cv: 2 },
  { task: 'klue-sts' },
  { task: 'klue-nli', extra: { tokenTypeIds: false } },
  { task: 'klue-ner', cv: 2, extra: { maxLength: 64 } },
  { task: 'glue-mrpc', extra: { seeds: 2 } },
  { task: 'glue-stsb', extra: { checkpoint: 'last' } },
  { task: 'glue-sst2' },
  { task: 'glue-qnli', cv: 2 },
];

describeIfSharedData(['klue', 'glue', 'tokenizers/kcelectra-base', 'models/tiny-random-bert'], 'evaluate end to end on every task', () => {
  const outputDir = mkdtempSync(path.join(os.tmpdir(), 'eval-e2e-'));
  const models: Record<'klue' | 'glue', string> = { klue: '', glue: '' };
  const results: TaskResult[] = [];

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    models.klue = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'tokenizers/kcelectra-base') });
    models.glue = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'models/tiny-random-bert') });
  });

  it.each(RUNS)('$task', async ({ task, cv, extra }) => {
    const spec = getTask(task);
    const tensorsBefore = tf.memory().numTensors;
    const events: EvaluateEvent[] = [];
    for await (const event of evaluateIter({
      model: models[spec.benchmark],
      modelName: 'tiny-random',
      task,
      dataDir: SHARED_DATA,
      limit: 16,
      epochs: 2,
      batchSize: 8,
      maxLength: 48,
      lr: 1e-3,
      outputDir,
      ...(cv ? { cv } : {}),
      ...extra,
    })) {
      events.push(event);
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('data');
    expect(types[types.length - 1]).toBe('result');
    const seeds = (extra?.seeds as number | undefined) ?? 1;
    const runs = seeds * (cv ?? 1);
    expect(types.filter((t) => t === 'start')).toHaveLength(runs);
    expect(types.filter((t) => t === 'epoch')).toHaveLength(runs * 2);
    expect(types.filter((t) => t === 'done')).toHaveLength(runs);
    const steps = events.filter((e): e is Extract<EvaluateEvent, { type: 'step' }> => e.type === 'step');
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((s) => Number.isFinite(s.loss) && s.loss > 0)).toBe(true);
    if (cv) expect(steps.every((s) => s.fold !== undefined && s.folds === cv)).toBe(true);
    const progress = events.filter((e): e is Extract<EvaluateEvent, { type: 'progress' }> => e.type === 'progress');
    expect(progress.map((p) => p.step)).toEqual(steps.map((_, i) => i + 1));
    expect(progress.every((p) => p.total === steps.length && p.stage === `eval:${task}`)).toBe(true);

    const last = events[events.length - 1] as Extract<EvaluateEvent, { type: 'result' }>;
    const result = last.result;
    results.push(result);
    expect(last.file).toBe(path.join(outputDir, 'tiny-random', `${task}.json`));
    expect(result.mode).toBe(cv ? 'cv' : 'train-dev');
    expect(result.evalExamples).toBe(16);
    expect(result.runs).toHaveLength(runs);
    expect(result.seeds).toEqual(Array.from({ length: seeds }, (_, i) => 42 + i));
    for (const metric of spec.metrics) {
      const summary = result.metrics[metric]!;
      expect(summary.values).toHaveLength(seeds);
      expect(summary.values.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
    }
    if (spec.kind === 'regression') expect(result.majorityBaseline).toBeUndefined();
    else expect(Number.isFinite(result.majorityBaseline![spec.primaryMetric]!)).toBe(true);
    const checkpoint = (extra?.checkpoint as string | undefined) ?? 'best';
    for (const run of result.runs) {
      expect(run.lossCurve.length).toBeGreaterThan(0);
      if (checkpoint === 'last') expect(run.selectedEpoch).toBe(2);
      else {
        // chosen on the validation part carved out of the training examples, never on the scored ones
        const primary = run.epochs.map((e) => e.validation![spec.primaryMetric]!);
        expect(primary[run.selectedEpoch - 1]).toBe(Math.max(...primary));
        expect(run.validationExamples).toBeGreaterThan(0);
      }
    }
    expect(result.tokenTypeIds).toBe(extra?.tokenTypeIds ?? true);

    // Every example's prediction of every seed is written beside the result, and rescoring it gives the reported metrics.
    expect(last.predictionsFile).toBe(path.join(outputDir, 'tiny-random', `${task}.predictions.jsonl`));
    expect(result.predictionsFile).toBe(`${task}.predictions.jsonl`);
    const lines = readFileSync(last.predictionsFile!, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(seeds * 16);
    const first = JSON.parse(lines[0]) as PredictionRecord;
    expect(first.seed).toBe(42);
    expect(typeof first.id).toBe('string');
    if (cv) expect(first.fold).toBeDefined();
    const rescored = await rescorePredictions({ task: spec, file: last.predictionsFile! });
    expect(rescored.map((r) => r.seed)).toEqual(result.seeds);
    rescored.forEach(({ metrics }, i) => {
      for (const metric of spec.metrics) expect(metrics[metric]).toBe(result.metrics[metric]!.values[i]);
    });
  });

  it('merges the eight result files into one report row', async () => {
    const merged = await mergeResults(results.map((r) => path.join(outputDir, 'tiny-random', `${r.task}.json`)));
    expect(merged.models).toEqual(['tiny-random']);
    expect(merged.tasks).toHaveLength(8);
    const markdown = renderMarkdownReport({ merged });
    expect(markdown.split('\n').filter((line) => line.startsWith('| tiny-random |'))).toHaveLength(9);
  });
});

// Issue 17: a wrong task loss (a plain mean over NER tokens, a scaled MSE, …) must fail an end-to-end test. The model's
// classifier weight is 0, so every row's (every token's) logits are its known bias, and every training label is the same,
// so the first step's loss is a closed form whichever examples the batch holds: data files → tokenizer → batches →
// forward → task loss → the step event.
const SENTENCES = ['a cat sat on the mat', 'the dog ran home', 'it is raining again', 'we like green tea', 'my phone is old', 'they play chess', 'a red car stopped', 'time flies fast', 'she reads books', 'the sun is up'];
const KNOWN_LABEL_RUNS: Array<{ task: TaskName; files: (sentences: string[]) => string; expected: (bias: number[]) => number }> = [
  { task: 'glue-sst2', files: (sentences) => ['sentence\tlabel', ...sentences.map((text) => `${text}\t1`)].join('\n'), expected: (bias) => nll(bias, 1) },
  {
    task: 'glue-stsb',
    files: (sentences) => ['index\tsentence1\tsentence2\tscore', ...sentences.map((text, i) => `${i}\t${text}\t${sentences[(i + 1) % sentences.length]}\t3.2`)].join('\n'),
    expected: (bias) => (bias[0] - 3.2) ** 2,
  },
  {
    // every character is B-PS; [CLS], [SEP], the extra pieces of a character and padding must not count
    task: 'klue-ner',
    files: (sentences) => sentences.map((text) => [...text.replace(/ /g, '')].map((char) => `${char}\tB-PS`).join('\n')).join('\n\n'),
    expected: (bias) => nll(bias, KLUE_NER_LABELS.indexOf('B-PS')),
  },
];

describeIfSharedData(['models/tiny-random-bert'], 'the first step’s loss end to end, for known logits', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eval-known-logits-'));
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it.each(KNOWN_LABEL_RUNS)('$task', async ({ task, files, expected }) => {
    const { numLabels } = bertTaskOf(getTask(task));
    const model = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'models/tiny-random-bert') });
    await setKnownHead({ dir: model, numLabels });
    const trainFile = path.join(dir, `${task}-train.tsv`);
    const devFile = path.join(dir, `${task}-dev.tsv`);
    writeFileSync(trainFile, `${files(SENTENCES)}\n`);
    writeFileSync(devFile, `${files(SENTENCES.slice(0, 4))}\n`);
    const steps: number[] = [];
    for await (const event of evaluateIter({ model, task, trainFile, devFile, epochs: 1, batchSize: 4, maxLength: 16, checkpoint: 'last' })) {
      if (event.type === 'step') steps.push(event.loss);
    }
    const want = expected(KNOWN_BIAS[numLabels]);
    expect(steps.length).toBeGreaterThan(0);
    expect(Math.abs(steps[0] - want)).toBeLessThanOrEqual(1e-6 * want);
  });
});

describeIfSharedData(['glue/sst2/dev.tsv', 'models/tiny-random-bert'], 'bad input is a one-line error', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eval-bad-'));

  it.each([
    [{ model_type: 'roberta', architectures: ['RobertaForMaskedLM'] }, /config\.json: model_type "roberta" is not BERT/],
    [{ architectures: ['GPT2LMHeadModel'] }, /config\.json: architectures GPT2LMHeadModel is not BERT/],
  ])('a model folder that is not BERT: %j', async (config, message) => {
    const folder = mkdtempSync(path.join(dir, 'model-'));
    writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config));
    const error = (await evaluate({ model: folder, task: 'glue-sst2', dataDir: SHARED_DATA }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { code: string };
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
    expect(error.code).toBe('MODEL_NOT_BERT');
  });

  it('a missing train split suggests cv mode', async () => {
    const model = path.join(SHARED_DATA, 'models/tiny-random-bert');
    await expect(evaluate({ model, task: 'glue-qnli', dataDir: SHARED_DATA })).rejects.toThrow(/no train split of GLUE QNLI .*use cv mode/);
  });
});

describeIfSharedData(['glue/mrpc/dev.tsv', 'models/tiny-random-bert'], 'token type ids option', () => {
  it('pairs are encoded with segments 0/1; turning the option off feeds no token_type_ids (all zeros)', async () => {
    await initBackend({ backend: 'wasm' });
    const tokenizer = await loadTokenizer({ dir: path.join(SHARED_DATA, 'models/tiny-random-bert'), maxLength: 32 });
    const [encoded] = await encodeExamples({ tokenizer, examples: [{ id: 'x', textA: 'a cat sat', textB: 'on the mat', label: 1 }] });
    expect(new Set(encoded.tokenTypeIds)).toEqual(new Set([0, 1]));
    const batch = collateBatch({ examples: [encoded], padId: tokenizer.padId });
    const on = batchInputs(batch, true);
    const off = batchInputs(batch, false);
    expect(Array.from(on.tokenTypeIds!.dataSync())).toEqual(encoded.tokenTypeIds);
    expect(off.tokenTypeIds).toBeUndefined();
    for (const t of [on.inputIds, on.attentionMask, on.tokenTypeIds!, off.inputIds, off.attentionMask]) t.dispose();
  });
});
