import path from 'node:path';
import { BertModel } from '@koenbert/bert';
import { writeFileAtomic } from '@koenbert/tensor-utils';
import { makeFolds } from '../data/make-folds';
import { subsample } from '../data/subsample';
import { majorityBaseline } from '../finetune/majority-baseline';
import { poolPredictions } from '../finetune/pool-predictions';
import { goldOf } from '../finetune/predict';
import { taskMetrics, type MetricValues, type TaskPredictions } from '../metrics/task-metrics';
import { summariseSeeds } from '../results/summarise-seeds';
import type { TaskResult } from '../results/task-result';
import { resolveBertFolder } from '../model/resolve-bert-folder';
import { charPredictions } from '../ner/char-predictions';
import { IGNORE_LABEL } from '../ner/align-char-labels';
import { loadSplit } from '../tasks/load-split';
import { getTask, type TaskName, type TaskSpec } from '../tasks/task-registry';
import { encodeExamples, type EncodedExample } from '../tokenize/encode-examples';
import { loadTaskTokenizers } from '../tokenize/load-task-tokenizer';
import type { TokenizerChoice } from '../tokenize/tokenizer-choice';
import { probeFeatures, type Pooling } from './probe-features';
import { applyRidgeProbe, fitRidgeProbe } from './ridge-probe';

export const PROBE_RESULT_FORMAT = 'koenbert-probe-result/1';

export interface LinearProbeParams {
  /** BERT folder (any task head; only the encoder is read). */
  model: string;
  modelName?: string;
  task: TaskName;
  dataDir?: string;
  trainFile?: string;
  devFile?: string;
  /** k: fit on k−1 folds of the dev set and score the held-out fold, for every fold (tasks without a train split). */
  cv?: number;
  /** At most this many training examples (seeded subsample, the same for every model). */
  trainLimit?: number;
  seed?: number;
  seeds?: number;
  maxLength?: number;
  pooling?: Pooling;
  /** Which tokenizer file encodes the text (as eval's `tokenizer`): default the task language's. */
  tokenizer?: TokenizerChoice;
  /** Train → dev: the dev split's tokenizer file (e.g. `ko` for zero-shot KorSTS); default `tokenizer`. */
  devTokenizer?: TokenizerChoice;
  batchSize?: number;
  /** Writes `<outputDir>/<model>/<task>.probe.json`. */
  outputDir?: string;
}

/** A probe's result: the fields it shares with a fine-tuning result (`TaskResult`), plus what only a probe has. */
export interface ProbeResult
  extends Pick<
    TaskResult,
    'model' | 'modelPath' | 'task' | 'title' | 'benchmark' | 'primaryMetric' | 'mode' | 'folds' | 'seeds' | 'trainExamples' | 'evalExamples' | 'metrics' | 'majorityBaseline' | 'notes' | 'createdAt' | 'seconds'
  > {
  format: typeof PROBE_RESULT_FORMAT;
  instrument: 'probe';
  pooling: Pooling;
  maxLength: number;
  /** The tokenizer file(s) the text was encoded with. */
  tokenizer: string;
  /** Per seed, per fit (one, or one per fold): the ridge strength chosen by CV on the training rows. */
  alphas: number[][];
}

interface Fit {
  train: readonly EncodedExample[];
  trainFeatures: Float32Array[];
  evalSet: readonly EncodedExample[];
  evalFeatures: Float32Array[];
}

/** Rows of the design matrix: one per example, or for NER one per labelled token. */
function designRows(task: TaskSpec, examples: readonly EncodedExample[], features: Float32Array[], hidden: number): { x: Float32Array; targets: number[] } {
  const blocks: Float32Array[] = [];
  const targets: number[] = [];
  examples.forEach((example, i) => {
    if (task.kind !== 'token-classification') {
      blocks.push(features[i]);
      targets.push(example.label ?? 0);
      return;
    }
    example.tokenLabels!.forEach((label, t) => {
      if (label === IGNORE_LABEL) return;
      blocks.push(features[i].subarray(t * hidden, (t + 1) * hidden));
      targets.push(label);
    });
  });
  const x = new Float32Array(blocks.length * hidden);
  blocks.forEach((block, row) => x.set(block, row * hidden));
  return { x, targets };
}

function fitAndPredict(task: TaskSpec, fit: Fit, hidden: number, seed: number): { predictions: TaskPredictions; alpha: number } {
  const { x, targets } = designRows(task, fit.train, fit.trainFeatures, hidden);
  const classify = task.kind !== 'regression';
  const probe = fitRidgeProbe({ x, rows: targets.length, cols: hidden, targets, numClasses: classify ? task.labels.length : 0, seed });
  if (task.kind === 'token-classification') {
    const predicted = fit.evalSet.map((example, i) => {
      const tokenPredictions = applyRidgeProbe({ probe, x: fit.evalFeatures[i], rows: example.inputIds.length, cols: hidden, classify: true });
      return charPredictions({ ...example.alignment!, tokenPredictions, labels: task.labels });
    });
    return { predictions: { ...goldOf(task, fit.evalSet), predicted } as TaskPredictions, alpha: probe.alpha };
  }
  const evalX = new Float32Array(fit.evalSet.length * hidden);
  fit.evalFeatures.forEach((row, i) => evalX.set(row, i * hidden));
  const predicted = applyRidgeProbe({ probe, x: evalX, rows: fit.evalSet.length, cols: hidden, classify });
  return { predictions: { ...goldOf(task, fit.evalSet), predicted } as TaskPredictions, alpha: probe.alpha };
}

/**
 * A linear probe of a frozen BERT on one KLUE or GLUE task: last-layer features ([CLS] or mean-pooled; per token
 * for NER) read out by ridge regression fitted on the training part (ridge strength by 5-fold CV inside it), scored
 * on the dev set — or, with `cv`, on each dev fold by a probe fitted on the other folds. Much cheaper than
 * fine-tuning, and it measures what the pretrained features already hold.
 */
export async function linearProbe(params: LinearProbeParams): Promise<ProbeResult> {
  const started = Date.now();
  const task = getTask(params.task);
  const seed = params.seed ?? 42;
  const seeds = Array.from({ length: params.seeds ?? 1 }, (_, i) => seed + i);
  const pooling = params.pooling ?? 'mean';
  const maxLength = params.maxLength ?? task.defaults.maxLength;
  const folder = await resolveBertFolder({ model: params.model });
  // in cv mode the dev pool is also the training data: one tokenizer for it
  const tokenizers = await loadTaskTokenizers({
    dir: folder.dir,
    task,
    maxLength,
    fallbackPadId: Number(folder.config.pad_token_id ?? 0),
    choice: params.tokenizer ?? 'task',
    devChoice: params.cv === undefined ? params.devTokenizer : undefined,
  });
  const { train: tokenizer, dev: devTokenizer } = tokenizers;
  const model = await BertModel.fromPretrained(folder.dir, { task: 'base' });
  const load = async (split: 'train' | 'dev') =>
    encodeExamples({
      tokenizer: split === 'dev' ? devTokenizer : tokenizer,
      examples: await loadSplit({ task, split, dataDir: params.dataDir, file: split === 'train' ? params.trainFile : params.devFile }),
    });
  const featuresOf = async (examples: readonly EncodedExample[]) => {
    const { hidden, sentences, tokens } = await probeFeatures({ model, examples, padId: tokenizer.padId, pooling, perToken: task.kind === 'token-classification', useTokenTypeIds: task.isPair, batchSize: params.batchSize });
    const rows = tokens ?? examples.map((_, i) => sentences!.subarray(i * hidden, (i + 1) * hidden));
    return { hidden, rows };
  };
  try {
    const dev = await load('dev');
    const devFeatures = await featuresOf(dev);
    const hidden = devFeatures.hidden;
    let fits: Array<Fit & { indices: number[] }>;
    if (params.cv !== undefined) {
      const folds = makeFolds({ count: dev.length, k: params.cv, seed });
      fits = folds.map((heldOut) => {
        const held = new Set(heldOut);
        const rest = dev.map((_, i) => i).filter((i) => !held.has(i));
        return { indices: heldOut, train: rest.map((i) => dev[i]), trainFeatures: rest.map((i) => devFeatures.rows[i]), evalSet: heldOut.map((i) => dev[i]), evalFeatures: heldOut.map((i) => devFeatures.rows[i]) };
      });
    } else {
      const train = subsample({ items: await load('train'), limit: params.trainLimit, seed });
      const trainFeatures = await featuresOf(train);
      fits = [{ indices: dev.map((_, i) => i), train, trainFeatures: trainFeatures.rows, evalSet: dev, evalFeatures: devFeatures.rows }];
    }
    const seedMetrics: MetricValues[] = [];
    const alphas: number[][] = [];
    for (const s of seeds) {
      const parts = fits.map((fit) => ({ indices: fit.indices, ...fitAndPredict(task, fit, hidden, s) }));
      alphas.push(parts.map((p) => p.alpha));
      seedMetrics.push(taskMetrics({ task, predictions: poolPredictions({ size: dev.length, parts }) }));
    }
    const baseline = majorityBaseline({ task, size: dev.length, runs: fits });
    const { metrics, notes } = summariseSeeds({ metrics: task.metrics, seeds, seedMetrics });
    const result: ProbeResult = {
      format: PROBE_RESULT_FORMAT,
      instrument: 'probe',
      model: params.modelName ?? path.basename(path.resolve(params.model)),
      modelPath: params.model,
      task: task.name,
      title: task.title,
      benchmark: task.benchmark,
      primaryMetric: task.primaryMetric,
      mode: params.cv !== undefined ? 'cv' : 'train-dev',
      ...(params.cv !== undefined ? { folds: params.cv } : {}),
      pooling,
      maxLength,
      tokenizer: tokenizers.sources,
      seeds,
      trainExamples: fits[0].train.length,
      evalExamples: dev.length,
      metrics,
      ...(baseline ? { majorityBaseline: baseline } : {}),
      ...(notes.length > 0 ? { notes } : {}),
      alphas,
      createdAt: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
    };
    if (params.outputDir) await writeFileAtomic(path.join(params.outputDir, result.model, `${task.name}.probe.json`), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    model.dispose();
  }
}
