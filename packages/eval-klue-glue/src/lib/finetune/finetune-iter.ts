import * as tf from '@tensorflow/tfjs';
import { BertModel, type MismatchedHead } from '@koenbert/bert';
import { AdamW, applyTrainingStep, describeNonFinite, explainOutOfMemory, KoenbertError, SeededRng, type HubOptions } from '@koenbert/tensor-utils';
import { taskMetrics, type MetricValues, type TaskPredictions } from '../metrics/task-metrics';
import type { EpochRecord } from '../results/task-result';
import type { Hyperparameters, TaskSpec } from '../tasks/task-registry';
import { collateBatch } from '../tokenize/collate-batch';
import type { EncodedExample } from '../tokenize/encode-examples';
import { bertTaskOf } from './bert-task-of';
import { finetuneStepPlan } from './finetune-step-plan';
import { batchInputs, disposeInputs, predict } from './predict';
import { taskLoss } from './task-loss';

export interface FinetuneParams {
  task: TaskSpec;
  /**
   * BERT folder or Hub id (loaded strictly with BertModel.fromPretrained; a task head of another size, or none, is
   * replaced by a fresh one initialised from `hyperparameters.seed`).
   */
  model: string;
  hub?: HubOptions;
  train: readonly EncodedExample[];
  /**
   * checkpoint 'best': examples carved out of the training data on which the best epoch is chosen. They are never
   * trained on, and `evalSet` is never used for the choice.
   */
  validation?: readonly EncodedExample[];
  /** The examples whose predictions are returned (dev set or held-out fold); predicted once per kept epoch. */
  evalSet: readonly EncodedExample[];
  /** This run's hyperparameters; `seed` drives head initialisation, dropout and shuffling. */
  hyperparameters: Hyperparameters;
  checkpoint: 'best' | 'last';
  /** Feed token_type_ids (pairs get 0/1 segments); off: the model sees all zeros. */
  tokenTypeIds: boolean;
  padId: number;
  evalBatchSize: number;
  /**
   * Examples per forward/backward pass (default: the whole batch). A batch runs as micro-batches whose losses are
   * weighted by their share of the batch's loss terms (examples; NER: labelled tokens) and whose gradients are summed:
   * the step of the whole batch (without dropout, equal to rounding), with the activations of one micro-batch.
   */
  microBatchSize?: number;
  /** Clip the global gradient norm to this (eval's config requires > 0; 0 would only measure it). */
  maxGradNorm: number;
  /** Scores the validation part after each epoch (default `taskMetrics`; tests pass a spy to see what is scored). */
  score?: typeof taskMetrics;
}

export interface FinetuneOutcome {
  epochs: EpochRecord[];
  /** 1-based epoch whose predictions `predictions` holds. */
  selectedEpoch: number;
  /** Predictions on `evalSet` of the selected epoch. */
  predictions: TaskPredictions;
  /** Training loss of every optimisation step. */
  losses: number[];
  steps: number;
  seconds: number;
}

export type FinetuneEvent =
  /** The checkpoint's task head did not fit the task (another label count) and was replaced by a fresh one. */
  | { type: 'head-replaced'; tensors: MismatchedHead[] }
  | { type: 'start'; trainExamples: number; validationExamples: number; evalExamples: number; stepsPerEpoch: number; totalSteps: number }
  | { type: 'step'; step: number; totalSteps: number; epoch: number; loss: number; lr: number; gradNorm: number; examplesPerSecond: number }
  /** `validation`: metrics on the validation part (checkpoint 'best' only); `isBest`: this epoch's predictions are kept. */
  | { type: 'epoch'; epoch: number; trainLoss: number; validation?: MetricValues; primary?: number; isBest: boolean }
  | { type: 'done'; outcome: FinetuneOutcome };

/** Loss terms an example contributes to the task loss: 1 (mean over examples), or its labelled tokens for NER. */
function lossTerms(task: TaskSpec, example: EncodedExample): number {
  return task.kind === 'token-classification' ? (example.tokenLabels ?? []).filter((label) => label >= 0).length : 1;
}

/**
 * The task loss of a batch and its gradients, in micro-batches of `microBatchSize` examples (the whole batch when
 * unset or not smaller): each micro-batch's mean loss is weighted by its share of the batch's loss terms and the
 * gradients are summed, so the result is the whole batch's mean loss and gradient.
 */
async function batchGrads(params: {
  model: BertModel;
  task: TaskSpec;
  examples: readonly EncodedExample[];
  padId: number;
  useTokenTypeIds: boolean;
  microBatchSize?: number;
}): Promise<{ loss: number; grads: Map<string, tf.Tensor> }> {
  const { model, task, examples } = params;
  const size = Math.min(params.microBatchSize ?? examples.length, examples.length);
  const total = Math.max(1, examples.reduce((sum, example) => sum + lossTerms(task, example), 0));
  let loss = 0;
  let grads: Map<string, tf.Tensor> | undefined;
  for (let start = 0; start < examples.length; start += size) {
    const part = examples.slice(start, start + size);
    const weight = size === examples.length ? 1 : part.reduce((sum, example) => sum + lossTerms(task, example), 0) / total;
    const batch = collateBatch({ examples: part, padId: params.padId });
    const inputs = batchInputs(batch, params.useTokenTypeIds);
    const result = model.valueAndGrads(() => {
      const logits = model.forward({ ...inputs, training: true }).logits as tf.Tensor;
      const partLoss = taskLoss({ task, logits, batch });
      return weight === 1 ? partLoss : (tf.mul(partLoss, weight) as tf.Scalar);
    });
    disposeInputs(inputs);
    loss += (await result.loss.data())[0];
    result.loss.dispose();
    if (!grads) grads = result.grads;
    else {
      for (const [name, grad] of result.grads) {
        const previous = grads.get(name);
        grads.set(name, previous ? tf.add(previous, grad) : grad);
        if (previous) {
          previous.dispose();
          grad.dispose();
        }
      }
    }
  }
  return { loss, grads: grads! };
}

function primaryValue(task: TaskSpec, metrics: MetricValues): number {
  const value = metrics[task.primaryMetric];
  return value === undefined || Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
}

/**
 * Fine-tunes a BERT on `train`, yielding typed events (one per step, one per epoch, then `done`). AdamW (bias and
 * LayerNorm without decay), linear warm-up then linear decay to 0, global-norm clipping, dropout on — transformers'
 * Trainer recipe. `checkpoint: 'best'` scores `validation` after every epoch and keeps the predictions on `evalSet`
 * of the epoch best on it (by the task's primary metric); `'last'` keeps the last epoch's. The evaluation set is
 * only predicted, never scored here: choosing the epoch cannot peek at it. A non-finite training loss or gradient
 * norm stops the run with LOSS_NOT_FINITE before the update (nothing is scored); an exhausted wasm heap with
 * OUT_OF_MEMORY, naming the step's estimate and the ways out. The model is disposed at the end; nothing is printed.
 */
export async function* finetuneIter(params: FinetuneParams): AsyncGenerator<FinetuneEvent, FinetuneOutcome> {
  const { task, train, evalSet, hyperparameters: hp, score = taskMetrics } = params;
  const validation = params.validation ?? [];
  if (params.checkpoint === 'best' && validation.length === 0) {
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: "finetuneIter: checkpoint 'best' needs validation examples (carved out of the training data)" });
  }
  const started = Date.now();
  const { bertTask, numLabels } = bertTaskOf(task);
  const model = await BertModel.fromPretrained(params.model, { task: bertTask, numLabels, seed: hp.seed, ignoreMismatchedSizes: true, ...params.hub });
  const optimizer = new AdamW({ lr: hp.lr, weightDecay: hp.weightDecay });
  const rng = new SeededRng(hp.seed).fork('shuffle');
  const useTokenTypeIds = params.tokenTypeIds;
  const stepsPerEpoch = Math.ceil(train.length / hp.batchSize);
  const totalSteps = stepsPerEpoch * hp.epochs;
  const warmupSteps = Math.ceil(hp.warmupRatio * totalSteps);
  const epochs: EpochRecord[] = [];
  const losses: number[] = [];
  const predictOn = (examples: readonly EncodedExample[]) =>
    predict({ model, task, examples, batchSize: params.evalBatchSize, padId: params.padId, useTokenTypeIds });
  let selected: { epoch: number; predictions: TaskPredictions } | undefined;
  let bestPrimary = Number.NEGATIVE_INFINITY;
  let step = 0;
  const memoryPlan = finetuneStepPlan({ model: model.config, task, batchSize: hp.batchSize, maxLength: hp.maxLength, microBatchSize: params.microBatchSize });
  try {
    const mismatched = model.loadReport?.mismatched ?? [];
    if (mismatched.length > 0) yield { type: 'head-replaced', tensors: mismatched };
    yield { type: 'start', trainExamples: train.length, validationExamples: validation.length, evalExamples: evalSet.length, stepsPerEpoch, totalSteps };
    for (let epoch = 1; epoch <= hp.epochs; epoch++) {
      const order = rng.shuffleInPlace(train.map((_, i) => i));
      let epochLoss = 0;
      for (let start = 0; start < order.length; start += hp.batchSize) {
        const stepStarted = Date.now();
        const examples = order.slice(start, start + hp.batchSize).map((i) => train[i]);
        const { loss: lossValue, grads } = await batchGrads({ model, task, examples, padId: params.padId, useTokenTypeIds, microBatchSize: params.microBatchSize });
        const schedule = { step, peakLr: hp.lr, warmupSteps, totalSteps };
        const update = applyTrainingStep({ params: model.params, grads, loss: lossValue, optimizer, maxGradNorm: params.maxGradNorm, schedule });
        if (!update.applied) {
          throw new KoenbertError({
            code: 'LOSS_NOT_FINITE',
            message: `fine-tuning ${task.name} (seed ${hp.seed}) stopped: the training ${describeNonFinite(update)} at step ${step + 1} (epoch ${epoch}); nothing was scored`,
          });
        }
        step++;
        losses.push(lossValue);
        epochLoss += lossValue;
        const seconds = Math.max(1e-3, (Date.now() - stepStarted) / 1000);
        yield { type: 'step', step, totalSteps, epoch, loss: lossValue, lr: update.lr, gradNorm: update.gradNorm, examplesPerSecond: examples.length / seconds };
      }
      const trainLoss = epochLoss / stepsPerEpoch;
      if (params.checkpoint === 'last') {
        const isLast = epoch === hp.epochs;
        if (isLast) selected = { epoch, predictions: await predictOn(evalSet) };
        epochs.push({ epoch, trainLoss });
        yield { type: 'epoch', epoch, trainLoss, isBest: isLast };
        continue;
      }
      const metrics = score({ task, predictions: await predictOn(validation) });
      const primary = primaryValue(task, metrics);
      const isBest = epoch === 1 || primary > bestPrimary;
      if (isBest) {
        bestPrimary = primary;
        selected = { epoch, predictions: await predictOn(evalSet) };
      }
      epochs.push({ epoch, trainLoss, validation: metrics });
      yield { type: 'epoch', epoch, trainLoss, validation: metrics, primary, isBest };
    }
  } catch (error) {
    throw explainOutOfMemory({ error, step: memoryPlan });
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
