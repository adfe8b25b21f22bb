import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import { AdamW, clipByGlobalNorm, linearWarmupDecay, SeededRng, type HubOptions } from '@koenbert/tensor-utils';
import { taskMetrics, type MetricValues, type TaskPredictions } from '../metrics/task-metrics';
import type { EpochRecord } from '../results/task-result';
import type { Hyperparameters, TaskSpec } from '../tasks/task-registry';
import { collateBatch } from '../tokenize/collate-batch';
import type { EncodedExample } from '../tokenize/encode-examples';
import { bertTaskOf } from './bert-task-of';
import { batchInputs, disposeInputs, predict } from './predict';
import { taskLoss } from './task-loss';

export interface FinetuneParams {
  task: TaskSpec;
  /** BERT folder or Hub id (loaded with BertModel.fromPretrained; the head is initialised from `hyperparameters.seed`). */
  model: string;
  hub?: HubOptions;
  train: readonly EncodedExample[];
  evalSet: readonly EncodedExample[];
  /** This run's hyperparameters; `seed` drives head initialisation, dropout and shuffling. */
  hyperparameters: Hyperparameters;
  checkpoint: 'best' | 'last';
  /** Feed token_type_ids (pairs get 0/1 segments); off: the model sees all zeros. */
  tokenTypeIds: boolean;
  padId: number;
  evalBatchSize: number;
  maxGradNorm: number;
}

export interface FinetuneOutcome {
  epochs: EpochRecord[];
  /** 1-based epoch whose predictions `predictions` holds. */
  selectedEpoch: number;
  predictions: TaskPredictions;
  /** Training loss of every optimisation step. */
  losses: number[];
  steps: number;
  seconds: number;
}

export type FinetuneEvent =
  | { type: 'start'; trainExamples: number; evalExamples: number; stepsPerEpoch: number; totalSteps: number }
  | { type: 'step'; step: number; totalSteps: number; epoch: number; loss: number; lr: number; gradNorm: number; examplesPerSecond: number }
  | { type: 'epoch'; epoch: number; trainLoss: number; metrics: MetricValues; primary: number; isBest: boolean }
  | { type: 'done'; outcome: FinetuneOutcome };

function primaryValue(task: TaskSpec, metrics: MetricValues): number {
  const value = metrics[task.primaryMetric];
  return value === undefined || Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
}

/**
 * Fine-tunes a BERT on `train` and scores `evalSet` after every epoch, yielding typed events (one per step, one per
 * epoch, then `done`). AdamW (bias and LayerNorm without decay), linear warm-up then linear decay to 0, global-norm
 * clipping, dropout on — transformers' Trainer recipe. The predictions kept are the best epoch's by the task's
 * primary metric (`checkpoint: 'best'`, as the original evaluation reported) or the last epoch's. The model is
 * disposed at the end; nothing is printed.
 */
export async function* finetuneIter(params: FinetuneParams): AsyncGenerator<FinetuneEvent, FinetuneOutcome> {
  const { task, train, evalSet, hyperparameters: hp } = params;
  const started = Date.now();
  const { bertTask, numLabels } = bertTaskOf(task);
  const model = await BertModel.fromPretrained(params.model, { task: bertTask, numLabels, seed: hp.seed, ...params.hub });
  const optimizer = new AdamW({ lr: hp.lr, weightDecay: hp.weightDecay });
  const rng = new SeededRng(hp.seed).fork('shuffle');
  const useTokenTypeIds = params.tokenTypeIds;
  const stepsPerEpoch = Math.ceil(train.length / hp.batchSize);
  const totalSteps = stepsPerEpoch * hp.epochs;
  const warmupSteps = Math.ceil(hp.warmupRatio * totalSteps);
  const epochs: EpochRecord[] = [];
  const losses: number[] = [];
  let selected: { epoch: number; predictions: TaskPredictions } | undefined;
  let bestPrimary = Number.NEGATIVE_INFINITY;
  let step = 0;
  try {
    yield { type: 'start', trainExamples: train.length, evalExamples: evalSet.length, stepsPerEpoch, totalSteps };
    for (let epoch = 1; epoch <= hp.epochs; epoch++) {
      const order = rng.shuffleInPlace(train.map((_, i) => i));
      let epochLoss = 0;
      for (let start = 0; start < order.length; start += hp.batchSize) {
        const stepStarted = Date.now();
        const batch = collateBatch({ examples: order.slice(start, start + hp.batchSize).map((i) => train[i]), padId: params.padId });
        const inputs = batchInputs(batch, useTokenTypeIds);
        const { loss, grads } = model.valueAndGrads(() => {
          const logits = model.forward({ ...inputs, training: true }).logits as tf.Tensor;
          return taskLoss({ task, logits, batch });
        });
        disposeInputs(inputs);
        const clipped = clipByGlobalNorm(grads, params.maxGradNorm);
        for (const grad of grads.values()) grad.dispose();
        const lr = linearWarmupDecay({ step, peakLr: hp.lr, warmupSteps, totalSteps });
        optimizer.applyGradients(model.params, clipped.grads, lr);
        for (const grad of clipped.grads.values()) grad.dispose();
        const lossValue = (await loss.data())[0];
        loss.dispose();
        step++;
        losses.push(lossValue);
        epochLoss += lossValue;
        const seconds = Math.max(1e-3, (Date.now() - stepStarted) / 1000);
        yield { type: 'step', step, totalSteps, epoch, loss: lossValue, lr, gradNorm: clipped.globalNorm, examplesPerSecond: batch.batchSize / seconds };
      }
      const predictions = await predict({ model, task, examples: evalSet, batchSize: params.evalBatchSize, padId: params.padId, useTokenTypeIds });
      const metrics = taskMetrics({ task, predictions });
      const primary = primaryValue(task, metrics);
      const isBest = epoch === 1 || primary > bestPrimary;
      if (isBest) bestPrimary = primary;
      if (params.checkpoint === 'last' || isBest) selected = { epoch, predictions };
      const record: EpochRecord = { epoch, trainLoss: epochLoss / stepsPerEpoch, metrics };
      epochs.push(record);
      yield { type: 'epoch', epoch, trainLoss: record.trainLoss, metrics, primary, isBest };
    }
  } finally {
    model.dispose();
    optimizer.dispose();
  }
  const outcome: FinetuneOutcome = {
    epochs,
    selectedEpoch: selected!.epoch,
    predictions: selected!.predictions,
    losses,
    steps: step,
    seconds: (Date.now() - started) / 1000,
  };
  yield { type: 'done', outcome };
  return outcome;
}
