import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { hubOptionsOf, initBackend, writeFileAtomic, type ProgressEvent } from '@koenbert/tensor-utils';
import { parseEvalConfig, resolveHyperparameters, type EvalConfig, type EvalConfigInput } from './config';
import { makeFolds } from './data/make-folds';
import { meanStd } from './data/mean-std';
import { subsample } from './data/subsample';
import { finetuneIter, type FinetuneEvent, type FinetuneOutcome } from './finetune/finetune-iter';
import { majorityPredictions } from './finetune/majority-predictions';
import { poolPredictions } from './finetune/pool-predictions';
import { taskMetrics, type MetricValues, type TaskPredictions } from './metrics/task-metrics';
import { resolveBertFolder } from './model/resolve-bert-folder';
import { lossCurve } from './results/loss-curve';
import { resultFile } from './results/result-file';
import { RESULT_FORMAT, type RunRecord, type TaskResult } from './results/task-result';
import type { TaskExample } from './tasks/examples';
import { loadSplit } from './tasks/load-split';
import { getTask, type MetricName, type TaskSpec } from './tasks/task-registry';
import { encodeExamples, type EncodedExample } from './tokenize/encode-examples';
import { loadTokenizer } from './tokenize/load-tokenizer';

/** Where a run sits: its seed and, in cv mode, its held-out fold (0-based) of `folds`. */
export interface RunContext {
  seed: number;
  fold?: number;
  folds?: number;
}

export type EvaluateEvent =
  | { type: 'data'; task: string; mode: 'train-dev' | 'cv'; trainExamples: number; evalExamples: number; folds?: number; seeds: number[]; tokenizer: string }
  | (FinetuneEvent & RunContext)
  /** After every step: steps done over all runs (seeds × folds) of this call, for progress bars. */
  | ProgressEvent
  | { type: 'result'; result: TaskResult; file?: string };

interface PreparedData {
  /** train-dev: one split pair; cv: the dev pool and its folds. */
  train: EncodedExample[];
  evalSet: EncodedExample[];
  folds?: number[][];
}

async function loadExamples(config: EvalConfig, task: TaskSpec, split: 'train' | 'dev', seed: number): Promise<TaskExample[]> {
  const examples = await loadSplit({
    task,
    split,
    source: config.source,
    dataDir: config.dataDir,
    file: split === 'train' ? config.trainFile : config.devFile,
    hubRepo: config.hubDataset,
    ...hubOptionsOf(config),
  });
  return subsample({ items: examples, limit: config.limit, seed: seed + (split === 'train' ? 0 : 1) });
}

function modelName(config: EvalConfig): string {
  return config.modelName ?? (path.basename(path.resolve(config.model)) || config.model);
}

/**
 * Fine-tunes and scores one model on one task, yielding typed events: `data`, then per run (seed, and fold in cv
 * mode) `start`, `step`… (each followed by a `progress` event over all runs), `epoch`…, `done`, and finally `result` (written to `<outputDir>/<model>/<task>.json` when
 * outputDir is set). Several seeds give mean ± std. In cv mode the dev set is split into k folds; each fold is scored
 * by a model fine-tuned on the other k−1 and the pooled held-out predictions are scored once per seed.
 */
export async function* evaluateIter(input: EvalConfigInput): AsyncGenerator<EvaluateEvent, TaskResult> {
  const started = Date.now();
  const config = parseEvalConfig(input);
  const task = getTask(config.task);
  const hp = resolveHyperparameters(config, task);
  const hub = hubOptionsOf(config);
  if (tf.getBackend() !== 'wasm' && tf.getBackend() !== 'tensorflow') await initBackend({});
  const folder = await resolveBertFolder({ model: config.model, ...hub });
  const tokenizer = await loadTokenizer({ dir: folder.dir, maxLength: hp.maxLength, fallbackPadId: Number(folder.config.pad_token_id ?? 0), language: task.benchmark === 'klue' ? 'ko' : 'en' });
  const mode = config.cv !== undefined ? 'cv' : 'train-dev';
  const data: PreparedData =
    mode === 'cv'
      ? await (async () => {
          const pool = await encodeExamples({ tokenizer, examples: await loadExamples(config, task, 'dev', hp.seed) });
          return { train: pool, evalSet: pool, folds: makeFolds({ count: pool.length, k: config.cv!, seed: hp.seed }) };
        })()
      : {
          train: await encodeExamples({ tokenizer, examples: await loadExamples(config, task, 'train', hp.seed) }),
          evalSet: await encodeExamples({ tokenizer, examples: await loadExamples(config, task, 'dev', hp.seed) }),
        };
  const seeds = Array.from({ length: config.seeds }, (_, i) => hp.seed + i);
  const trainCount = data.folds ? data.train.length - Math.max(...data.folds.map((f) => f.length)) : data.train.length;
  yield { type: 'data', task: task.name, mode, trainExamples: trainCount, evalExamples: data.evalSet.length, folds: data.folds?.length, seeds, tokenizer: tokenizer.source };

  // One (train, eval) pair per run: the split pair, or each fold against the rest.
  const splits = data.folds
    ? data.folds.map((heldOut, fold) => {
        const held = new Set(heldOut);
        return { fold, indices: heldOut, train: data.train.filter((_, i) => !held.has(i)), evalSet: heldOut.map((i) => data.evalSet[i]) };
      })
    : [{ fold: undefined, indices: data.evalSet.map((_, i) => i), train: data.train, evalSet: data.evalSet }];

  const runs: RunRecord[] = [];
  const seedMetrics: MetricValues[] = [];
  const stage = `eval:${task.name}`;
  const allSteps = seeds.length * splits.reduce((sum, split) => sum + Math.ceil(split.train.length / hp.batchSize) * hp.epochs, 0);
  let stepsDone = 0;
  for (const seed of seeds) {
    const parts: Array<{ indices: number[]; predictions: TaskPredictions }> = [];
    for (const split of splits) {
      const context: RunContext = split.fold === undefined ? { seed } : { seed, fold: split.fold, folds: splits.length };
      let outcome: FinetuneOutcome | undefined;
      for await (const event of finetuneIter({
        task,
        model: config.model,
        hub,
        train: split.train,
        evalSet: split.evalSet,
        hyperparameters: { ...hp, seed },
        checkpoint: config.checkpoint,
        tokenTypeIds: config.tokenTypeIds,
        padId: tokenizer.padId,
        evalBatchSize: config.evalBatchSize,
        maxGradNorm: config.maxGradNorm,
      })) {
        if (event.type === 'done') outcome = event.outcome;
        yield { ...event, ...context };
        if (event.type === 'step') {
          stepsDone++;
          yield { type: 'progress', stage, step: stepsDone, total: allSteps, metrics: { loss: event.loss, lr: event.lr, examplesPerSecond: event.examplesPerSecond } };
        }
      }
      const curve = lossCurve({ losses: outcome!.losses });
      runs.push({
        seed,
        ...(split.fold === undefined ? {} : { fold: split.fold }),
        trainExamples: split.train.length,
        evalExamples: split.evalSet.length,
        epochs: outcome!.epochs,
        selectedEpoch: outcome!.selectedEpoch,
        lossCurve: curve.points,
        lossWindow: curve.window,
        steps: outcome!.steps,
        seconds: outcome!.seconds,
      });
      parts.push({ indices: split.indices, predictions: outcome!.predictions });
    }
    seedMetrics.push(taskMetrics({ task, predictions: poolPredictions({ size: data.evalSet.length, parts }) }));
  }

  const baselineParts = splits.map((split) => ({ indices: split.indices, predictions: majorityPredictions({ task, train: split.train, evalSet: split.evalSet }) }));
  const majorityBaseline = baselineParts.every((p) => p.predictions !== undefined)
    ? taskMetrics({ task, predictions: poolPredictions({ size: data.evalSet.length, parts: baselineParts as Array<{ indices: number[]; predictions: TaskPredictions }> }) })
    : undefined;

  const metrics: TaskResult['metrics'] = {};
  for (const metric of task.metrics) {
    const values = seedMetrics.map((m) => m[metric as MetricName] ?? Number.NaN);
    metrics[metric] = { ...meanStd(values), values };
  }
  const result: TaskResult = {
    format: RESULT_FORMAT,
    model: modelName(config),
    modelPath: config.model,
    task: task.name,
    title: task.title,
    benchmark: task.benchmark,
    primaryMetric: task.primaryMetric,
    mode,
    ...(data.folds ? { folds: data.folds.length } : {}),
    checkpoint: config.checkpoint,
    tokenTypeIds: config.tokenTypeIds,
    source: config.source,
    ...(config.limit !== undefined ? { limit: config.limit } : {}),
    hyperparameters: hp,
    seeds,
    trainExamples: trainCount,
    evalExamples: data.evalSet.length,
    metrics,
    ...(majorityBaseline ? { majorityBaseline } : {}),
    runs,
    createdAt: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  let file: string | undefined;
  if (config.outputDir) {
    file = resultFile({ outputDir: config.outputDir, model: result.model, task: task.name });
    await writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
  }
  yield { type: 'result', result, ...(file ? { file } : {}) };
  return result;
}

/** `evaluateIter` run to the end; returns the task's result. */
export async function evaluate(input: EvalConfigInput): Promise<TaskResult> {
  const iterator = evaluateIter(input);
  for (;;) {
    const next = await iterator.next();
    if (next.done) return next.value;
  }
}
