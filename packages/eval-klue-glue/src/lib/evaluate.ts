import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { firstStepEvent, hubOptionsOf, initBackend, writeFileAtomic, type FirstStepEvent, type ProgressEvent } from '@koenbert/tensor-utils';
import { parseEvalConfig, resolveHyperparameters, type EvalConfig, type EvalConfigInput } from './config';
import { makeFolds } from './data/make-folds';
import { runSplits } from './data/run-splits';
import { subsample } from './data/subsample';
import { finetuneIter, type FinetuneEvent, type FinetuneOutcome } from './finetune/finetune-iter';
import { majorityBaseline } from './finetune/majority-baseline';
import { poolPredictions } from './finetune/pool-predictions';
import { taskMetrics, type MetricValues, type TaskPredictions } from './metrics/task-metrics';
import { resolveBertFolder } from './model/resolve-bert-folder';
import { lossCurve } from './results/loss-curve';
import { predictionRecords, type PredictionRecord } from './results/prediction-records';
import { resultFile } from './results/result-file';
import { summariseSeeds } from './results/summarise-seeds';
import { RESULT_FORMAT, type RunRecord, type TaskResult } from './results/task-result';
import type { TaskExample } from './tasks/examples';
import { loadSplit } from './tasks/load-split';
import { getTask, type TaskSpec } from './tasks/task-registry';
import { encodeExamples, type EncodedExample } from './tokenize/encode-examples';
import { loadTaskTokenizers } from './tokenize/load-task-tokenizer';

/** Where a run sits: its seed and, in cv mode, its held-out fold (0-based) of `folds`. */
export interface RunContext {
  seed: number;
  fold?: number;
  folds?: number;
}

export type EvaluateEvent =
  | {
      type: 'data';
      task: string;
      mode: 'train-dev' | 'cv';
      /** Examples trained on per run (the largest run's) and held out of them to choose the epoch. */
      trainExamples: number;
      validationExamples: number;
      evalExamples: number;
      folds?: number;
      seeds: number[];
      tokenizer: string;
    }
  | (FinetuneEvent & RunContext)
  /** After every step: steps done over all runs (seeds × folds) of this call, for progress bars. */
  | ProgressEvent
  /** Once, after the first step of the first run: its time and all runs' steps at that speed. */
  | FirstStepEvent
  /** `file`: the result JSON; `predictionsFile`: the predictions beside it (both only with outputDir). */
  | { type: 'result'; result: TaskResult; file?: string; predictionsFile?: string };

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

/** Per example of the pool, the cv fold that holds it out. */
function foldIndexOf(folds: number[][], size: number): number[] {
  const fold = new Array<number>(size);
  folds.forEach((indices, f) => indices.forEach((i) => (fold[i] = f)));
  return fold;
}

function modelName(config: EvalConfig): string {
  return config.modelName ?? (path.basename(path.resolve(config.model)) || config.model);
}

/**
 * Fine-tunes and scores one model on one task, yielding typed events: `data`, then per run (seed, and fold in cv
 * mode) `head-replaced` (when the checkpoint's task head does not fit), `start`, `step`… (each followed by a
 * `progress` event over all runs), `epoch`…, `done`, and finally `result`. With outputDir the result is written to
 * `<outputDir>/<model>/<task>.json` and every example's prediction of every seed to `<task>.predictions.jsonl`
 * beside it. Several seeds give mean ± std (a NaN seed makes them NaN, with a note). In cv mode the dev set is
 * split into k folds; each fold is scored by a model fine-tuned on the other k−1 and the pooled held-out
 * predictions are scored once per seed. With checkpoint 'best' the epoch is chosen on a validation part carved out
 * of the training examples (`validationFraction`), never on the examples that are scored. Runs on the tfjs backend
 * the caller set; `initBackend`'s default is started only when none is set.
 */
export async function* evaluateIter(input: EvalConfigInput): AsyncGenerator<EvaluateEvent, TaskResult> {
  const started = Date.now();
  const config = parseEvalConfig(input);
  const task = getTask(config.task);
  const hp = resolveHyperparameters(config, task);
  const hub = hubOptionsOf(config);
  // the caller's backend (whatever tf.getBackend() says) is used as it is; only when none is set yet is one picked
  if (!tf.getBackend()) await initBackend({});
  const folder = await resolveBertFolder({ model: config.model, ...hub });
  // cross-lingual scoring (zero-shot KorSTS): the scored split may need another language's segmentation
  const tokenizers = await loadTaskTokenizers({ dir: folder.dir, task, maxLength: hp.maxLength, fallbackPadId: Number(folder.config.pad_token_id ?? 0), choice: config.tokenizer, devChoice: config.devTokenizer });
  const { train: tokenizer, dev: devTokenizer, sources: tokenizerSources } = tokenizers;
  const mode = config.cv !== undefined ? 'cv' : 'train-dev';
  const data: PreparedData =
    mode === 'cv'
      ? await (async () => {
          const pool = await encodeExamples({ tokenizer, examples: await loadExamples(config, task, 'dev', hp.seed) });
          return { train: pool, evalSet: pool, folds: makeFolds({ count: pool.length, k: config.cv!, seed: hp.seed }) };
        })()
      : {
          train: await encodeExamples({ tokenizer, examples: await loadExamples(config, task, 'train', hp.seed) }),
          evalSet: await encodeExamples({ tokenizer: devTokenizer, examples: await loadExamples(config, task, 'dev', hp.seed) }),
        };
  const seeds = Array.from({ length: config.seeds }, (_, i) => hp.seed + i);
  const splits = runSplits({
    trainCount: data.train.length,
    evalCount: data.evalSet.length,
    folds: data.folds,
    checkpoint: config.checkpoint,
    validationFraction: config.validationFraction,
    seed: hp.seed,
  });
  const trainCount = Math.max(...splits.map((split) => split.train.length));
  const validationCount = Math.max(...splits.map((split) => split.validation.length));
  yield {
    type: 'data',
    task: task.name,
    mode,
    trainExamples: trainCount,
    validationExamples: validationCount,
    evalExamples: data.evalSet.length,
    folds: data.folds?.length,
    seeds,
    tokenizer: tokenizerSources,
  };

  const runs: RunRecord[] = [];
  const seedMetrics: MetricValues[] = [];
  const records: PredictionRecord[] = [];
  const notes = new Set<string>();
  const foldOf = data.folds ? foldIndexOf(data.folds, data.evalSet.length) : undefined;
  const stage = `eval:${task.name}`;
  const allSteps = seeds.length * splits.reduce((sum, split) => sum + Math.ceil(split.train.length / hp.batchSize) * hp.epochs, 0);
  let stepsDone = 0;
  let firstStepStarted = 0;
  for (const seed of seeds) {
    const parts: Array<{ indices: number[]; predictions: TaskPredictions }> = [];
    for (const split of splits) {
      const context: RunContext = split.fold === undefined ? { seed } : { seed, fold: split.fold, folds: splits.length };
      let outcome: FinetuneOutcome | undefined;
      for await (const event of finetuneIter({
        task,
        model: config.model,
        hub,
        train: split.train.map((i) => data.train[i]),
        validation: split.validation.map((i) => data.train[i]),
        evalSet: split.evalIndices.map((i) => data.evalSet[i]),
        hyperparameters: { ...hp, seed },
        checkpoint: config.checkpoint,
        tokenTypeIds: config.tokenTypeIds,
        padId: tokenizer.padId,
        evalBatchSize: config.evalBatchSize,
        microBatchSize: config.microBatchSize,
        maxGradNorm: config.maxGradNorm,
      })) {
        if (event.type === 'done') outcome = event.outcome;
        if (event.type === 'head-replaced') {
          notes.add(`the checkpoint's task head (${event.tensors.map((t) => `${t.name} [${t.checkpointShape.join(', ')}]`).join(', ')}) did not fit ${task.title} and was replaced by a fresh one`);
        }
        if (event.type === 'start' && stepsDone === 0) firstStepStarted = performance.now();
        yield { ...event, ...context };
        if (event.type === 'step') {
          stepsDone++;
          yield { type: 'progress', stage, step: stepsDone, total: allSteps, metrics: { loss: event.loss, lr: event.lr, examplesPerSecond: event.examplesPerSecond } };
          if (stepsDone === 1) yield firstStepEvent({ stage, seconds: (performance.now() - firstStepStarted) / 1000, steps: allSteps });
        }
      }
      const curve = lossCurve({ losses: outcome!.losses });
      runs.push({
        seed,
        ...(split.fold === undefined ? {} : { fold: split.fold }),
        trainExamples: split.train.length,
        ...(config.checkpoint === 'best' ? { validationExamples: split.validation.length } : {}),
        evalExamples: split.evalIndices.length,
        epochs: outcome!.epochs,
        selectedEpoch: outcome!.selectedEpoch,
        lossCurve: curve.points,
        lossWindow: curve.window,
        steps: outcome!.steps,
        seconds: outcome!.seconds,
      });
      parts.push({ indices: split.evalIndices, predictions: outcome!.predictions });
    }
    const pooled = poolPredictions({ size: data.evalSet.length, parts });
    seedMetrics.push(taskMetrics({ task, predictions: pooled }));
    records.push(...predictionRecords({ task, seed, ids: data.evalSet.map((e) => e.id), folds: foldOf, predictions: pooled }));
  }

  const baseline = majorityBaseline({
    task,
    size: data.evalSet.length,
    runs: splits.map((split) => ({ indices: split.evalIndices, train: split.train.map((i) => data.train[i]), evalSet: split.evalIndices.map((i) => data.evalSet[i]) })),
  });

  const summary = summariseSeeds({ metrics: task.metrics, seeds, seedMetrics });
  const metrics = summary.metrics;
  for (const note of summary.notes) notes.add(note);
  const predictionsFile = config.outputDir ? `${task.name}.predictions.jsonl` : undefined;
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
    ...(config.checkpoint === 'best' ? { validationFraction: config.validationFraction } : {}),
    tokenTypeIds: config.tokenTypeIds,
    tokenizer: tokenizerSources,
    source: config.source,
    ...(config.limit !== undefined ? { limit: config.limit } : {}),
    hyperparameters: hp,
    seeds,
    trainExamples: trainCount,
    evalExamples: data.evalSet.length,
    metrics,
    ...(baseline ? { majorityBaseline: baseline } : {}),
    ...(predictionsFile ? { predictionsFile } : {}),
    ...(notes.size > 0 ? { notes: [...notes] } : {}),
    runs,
    createdAt: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  let file: string | undefined;
  let predictionsPath: string | undefined;
  if (config.outputDir) {
    file = resultFile({ outputDir: config.outputDir, model: result.model, task: task.name });
    predictionsPath = path.join(path.dirname(file), predictionsFile!);
    // Predictions first: a result file never points at predictions that are not there.
    await writeFileAtomic(predictionsPath, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    await writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
  }
  yield { type: 'result', result, ...(file ? { file, predictionsFile: predictionsPath } : {}) };
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
