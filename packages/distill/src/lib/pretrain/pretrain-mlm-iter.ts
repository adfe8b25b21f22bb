import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel, crossEntropyLoss } from '@koenbert/bert';
import {
  applyTrainingStep,
  explainOutOfMemory,
  KoenbertError,
  resolveModelDir,
  SeededRng,
  writeFileAtomic,
  type HubOptions,
  type JsonlLogger,
} from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { lossCurveSvg } from '../report/loss-curve-svg';
import { restoreCheckpoint, writeCheckpoint } from '../train/checkpoint';
import { logFirstStep } from '../train/log-first-step';
import { openRunLog } from '../train/open-run-log';
import { optimizerFromConfig } from '../train/optimizer-from-config';
import { prepareRunOutput } from '../train/prepare-run-output';
import { TrainingRun, type StepProgress, type TrainerOptions, type TrainingRunEvent } from '../train/training-run';
import { readHeldOutLines } from './held-out-lines';
import { maskTokens, type MaskedTokens } from './mask-tokens';
import { MlmBatches, padBatch, type IdBatch, type MlmDataState } from './mlm-batches';
import { mlmGrads } from './mlm-grads';
import { parsePretrainMlmConfig, type PretrainMlmConfig, type PretrainMlmConfigInput } from './pretrain-mlm-config';
import { pretrainStepPlan } from './pretrain-step-plan';

export type PretrainMlmEvent =
  | {
      type: 'start';
      config: PretrainMlmConfig;
      startStep: number;
      totalSteps: number;
      vocabSize: number;
      params: number;
      heldOutLines: number;
      resumedFrom?: string;
    }
  | ({
      type: 'step';
      /** Mean cross-entropy over the masked tokens of this step (nats). */
      loss: number;
      maskedTokens: number;
    } & StepProgress)
  | TrainingRunEvent
  | { type: 'eval'; step: number; loss: number; perplexity: number; maskedTokens: number; sequences: number }
  | { type: 'done'; step: number; output: string; files: string[]; log: string; lossCurve: string; evals: Array<{ step: number; loss: number; perplexity: number }> };

export type PretrainMlmOptions = TrainerOptions;

/** The trainer's part of a checkpoint. */
export interface PretrainMlmTrainingState {
  data: MlmDataState;
  maskRng: number[];
  dropoutRng: number[];
  config: PretrainMlmConfig;
}

export const PRETRAIN_LOG = 'pretrain-log.jsonl';
export const PRETRAIN_CONFIG_FILE = 'pretrain-config.json';
export const PRETRAIN_LOSS_CURVE = 'mlm-loss-curve.svg';
export const PRETRAIN_TOKENIZER_FILES = ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.json'];

interface Masking {
  specialIds: ReadonlySet<number>;
  vocabSize: number;
  maskId: number;
  probability: number;
  maskRatio: number;
  randomRatio: number;
}

function specialIdsOf(tokenizer: WordPieceTokenizer): Set<number> {
  const ids = [tokenizer.clsId, tokenizer.sepId, tokenizer.unkId, tokenizer.padId, tokenizer.maskId];
  return new Set(ids.filter((id): id is number => typeof id === 'number'));
}

/** Held-out MLM loss: masked-token cross-entropy summed over every evaluation batch, divided by their count. */
function evaluate(params: { model: BertModel; batches: Array<{ batch: IdBatch; masked: MaskedTokens }> }): { loss: number; maskedTokens: number } {
  let sum = 0;
  let count = 0;
  for (const { batch, masked } of params.batches) {
    const value = tf.tidy(() => {
      const shape: [number, number] = [batch.batchSize, batch.seqLength];
      const output = params.model.forward({
        inputIds: tf.tensor2d(masked.inputIds, shape, 'int32'),
        attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32'),
        logitPositions: tf.tensor1d(masked.positions, 'int32'),
      });
      return crossEntropyLoss({ logits: output.logits!, labels: tf.tensor1d(masked.targets, 'int32') });
    });
    sum += value.dataSync()[0] * masked.positions.length;
    count += masked.positions.length;
    value.dispose();
  }
  return { loss: sum / Math.max(count, 1), maskedTokens: count };
}

/**
 * Masked-language-model pretraining of a fresh BERT (BertForMaskedLM, transformers' initialisation) from a WordPiece
 * tokenizer and a text corpus (see the package README): packed sequences from the shuffled corpus stream, dynamic
 * 15 % masking (80/10/10), the MLM decoder run at the masked positions only, AdamW with warmup + linear decay and
 * global-norm clipping. Held-out perplexity (lines chosen by hash, never trained on, fixed masks) every
 * `eval.every` steps and at the end. Checkpoints every `checkpoint.every` steps, on stop and at the end; `resume`
 * continues bit-identically. A non-finite loss or gradient stops with NON_FINITE_LOSS, an exhausted wasm heap with
 * OUT_OF_MEMORY (the step's estimate and the ways out). `<output>` ends with the HF model, the tokenizer files, the
 * log and a loss curve.
 */
export async function* pretrainMlmIter(input: PretrainMlmConfigInput | PretrainMlmConfig, options: PretrainMlmOptions = {}): AsyncGenerator<PretrainMlmEvent, void> {
  const config = parsePretrainMlmConfig(input);
  const hub: HubOptions = { ...config.hub, token: options.hubToken, fetch: options.fetch };
  const { output, checkpointDir, logFile, resumeFrom: existing } = await prepareRunOutput({ output: config.output, logName: PRETRAIN_LOG, resume: config.resume, overwrite: config.overwrite });

  const tokenizerDir = await resolveModelDir({ repoOrPath: config.tokenizer, files: [], optionalFiles: PRETRAIN_TOKENIZER_FILES, ...hub });
  const tokenizer = await loadWordPieceTokenizer(tokenizerDir);
  if (tokenizer.maskId === null) {
    throw new KoenbertError({ code: 'TOKENIZER_INVALID', file: tokenizerDir, message: 'the tokenizer has no [MASK] token' });
  }
  const masking: Masking = {
    specialIds: specialIdsOf(tokenizer),
    vocabSize: tokenizer.size,
    maskId: tokenizer.maskId,
    probability: config.masking.probability,
    maskRatio: config.masking.maskRatio,
    randomRatio: config.masking.randomRatio,
  };
  const model = BertModel.create({
    task: 'masked-lm',
    seed: config.seed,
    config: {
      vocab_size: tokenizer.size,
      hidden_size: config.model.hiddenSize,
      num_hidden_layers: config.model.numLayers,
      num_attention_heads: config.model.numHeads,
      intermediate_size: config.model.intermediateSize ?? 4 * config.model.hiddenSize,
      max_position_embeddings: 512,
      hidden_dropout_prob: config.model.dropout,
      attention_probs_dropout_prob: config.model.dropout,
      pad_token_id: tokenizer.padId ?? 0,
    } as Parameters<typeof BertModel.create>[0]['config'],
  });
  const optimizer = optimizerFromConfig({ optim: config.optim });
  let batches: MlmBatches | undefined;
  let logger: JsonlLogger | undefined;
  let run: TrainingRun | undefined;
  const memoryPlan = pretrainStepPlan({ config, vocabSize: tokenizer.size });

  try {
    const root = new SeededRng(config.seed);
    let step = 0;
    let maskRng = root.fork('masking');
    let dropoutRng = root.fork('dropout');
    let dataState: MlmDataState | undefined;
    let resumedFrom: string | undefined;
    if (config.resume && existing) {
      const state = await restoreCheckpoint<PretrainMlmTrainingState>({ checkpoint: existing, params: model.params, optimizer });
      step = state.step;
      maskRng = SeededRng.fromState(state.training.maskRng);
      dropoutRng = SeededRng.fromState(state.training.dropoutRng);
      dataState = state.training.data;
      resumedFrom = existing;
    }
    batches = await MlmBatches.open({
      sources: config.data.files,
      tokenizer,
      seed: config.seed,
      bufferSize: config.data.shuffleBuffer,
      maxLength: config.data.maxLength,
      heldOutFraction: config.data.heldOutFraction,
      hub,
      maxLineBytes: config.data.maxLineBytes,
      state: dataState,
    });

    // held-out set: one line per sequence, masked once with a fixed generator so every evaluation sees the same task
    const heldOut = await readHeldOutLines({ sources: config.data.files, fraction: config.data.heldOutFraction, maxLines: config.eval.maxLines, hub });
    const evalRng = new SeededRng(config.seed).fork('eval-masking');
    const evalBatches: Array<{ batch: IdBatch; masked: MaskedTokens }> = [];
    for (let i = 0; i < heldOut.length; i += config.eval.batchSize) {
      const sequences = heldOut.slice(i, i + config.eval.batchSize).map((line) => tokenizer.encode(line, undefined, { maxLength: config.data.maxLength }).ids);
      const batch = padBatch(sequences, tokenizer.padId ?? 0);
      evalBatches.push({ batch, masked: maskTokens({ ids: batch.ids, rng: evalRng, ...masking }) });
    }

    logger = await openRunLog({ logFile, configName: PRETRAIN_CONFIG_FILE, config, step, resumedFrom });
    const paramCount = [...model.params.values()].reduce((sum, v) => sum + v.size, 0);
    yield { type: 'start', config, startStep: step, totalSteps: config.steps, vocabSize: tokenizer.size, params: paramCount, heldOutLines: heldOut.length, resumedFrom };

    const checkpoint = async (): Promise<string> => {
      const training: PretrainMlmTrainingState = { data: batches!.getState(), maskRng: maskRng.getState(), dropoutRng: dropoutRng.getState(), config };
      return writeCheckpoint({ dir: checkpointDir, step, params: model.params, optimizer, training, keep: config.checkpoint.keep });
    };
    run = new TrainingRun({ stage: 'pretrain-mlm', logger, writeCheckpoint: checkpoint, step, resumedFrom, totalSteps: config.steps, checkpointEvery: config.checkpoint.every, options });
    const evals: Array<{ step: number; loss: number; perplexity: number }> = [];
    const runEval = (): PretrainMlmEvent | undefined => {
      if (evalBatches.length === 0) return undefined;
      const { loss, maskedTokens } = evaluate({ model, batches: evalBatches });
      const perplexity = Math.exp(loss);
      evals.push({ step, loss, perplexity });
      logger!.log({ event: 'eval', step, loss, perplexity, maskedTokens });
      return { type: 'eval', step, loss, perplexity, maskedTokens, sequences: heldOut.length };
    };
    if (step === 0) {
      const initial = runEval();
      if (initial) yield initial;
    }

    const warmupSteps = config.optim.warmupSteps ?? Math.round(config.optim.warmupRatio * config.steps);
    while (step < config.steps) {
      if (yield* run.stopIfAsked(step)) return;
      run.beginStep();
      const batch = await batches.nextBatch(config.optim.batchSize);
      const masked = maskTokens({ ids: batch.ids, rng: maskRng, ...masking });
      const dropoutSeed = config.model.dropout > 0 ? dropoutRng.nextUint32() : undefined;
      const { loss, grads } = mlmGrads({ model, batch, masked, dropoutSeed });
      const lrSchedule = { step, peakLr: config.optim.lr, warmupSteps, totalSteps: config.steps };
      const update = applyTrainingStep({ params: model.params, grads, loss, optimizer, maxGradNorm: config.optim.maxGradNorm, schedule: lrSchedule });
      if (!update.applied) return yield* run.nonFinite({ step: step + 1, loss, gradNorm: update.gradNorm });
      const { lr, gradNorm } = update;
      step += 1;

      const { elapsedSeconds, tokensPerSecond, etaSeconds, firstStep } = run.endStep({ step, tokens: batch.tokens });
      const maskedTokens = masked.positions.length;
      logger.log({ event: 'step', step, loss, maskedTokens, lr, gradNorm, tokens: batch.tokens, tokensPerSecond, elapsedSeconds });
      run.logOverlong({ step, overlong: batches.overlong, maxLineBytes: config.data.maxLineBytes });
      yield { type: 'step', step, totalSteps: config.steps, loss, maskedTokens, lr, gradNorm, tokens: batch.tokens, tokensPerSecond, elapsedSeconds, etaSeconds };
      yield { type: 'progress', stage: 'pretrain-mlm', step, total: config.steps, metrics: { loss, tokensPerSecond } };
      if (firstStep) yield logFirstStep(logger, firstStep);

      if (step % config.eval.every === 0 || step === config.steps) {
        const evaluated = runEval();
        if (evaluated) yield evaluated;
      }
      yield* run.checkpointIfDue(step);
    }

    await model.savePretrained(output);
    const files = ['config.json', 'model.safetensors'];
    for (const file of PRETRAIN_TOKENIZER_FILES) {
      const data = await fs.readFile(path.join(tokenizerDir, file)).catch(() => undefined);
      if (data) {
        await writeFileAtomic(path.join(output, file), data);
        files.push(file);
      }
    }
    const lossCurve = path.join(output, PRETRAIN_LOSS_CURVE);
    await writeFileAtomic(lossCurve, await mlmLossCurveSvg(logFile));
    logger.log({ event: 'done', step, files });
    yield { type: 'done', step, output, files: [...files, PRETRAIN_CONFIG_FILE, PRETRAIN_LOG, PRETRAIN_LOSS_CURVE], log: logFile, lossCurve, evals };
  } catch (error) {
    throw explainOutOfMemory({ error, step: memoryPlan });
  } finally {
    run?.close();
    await logger?.close();
    await batches?.close();
    optimizer.dispose();
    model.dispose();
  }
}

/** Training loss (per step, the later record winning after a resume) and held-out loss, log scale. */
async function mlmLossCurveSvg(log: string): Promise<string> {
  const records = (await fs.readFile(log, 'utf8'))
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as { event?: string; step?: number; loss?: number });
  const series = (event: string) => {
    const byStep = new Map<number, number>();
    for (const r of records) if (r.event === event && typeof r.step === 'number' && typeof r.loss === 'number') byStep.set(r.step, r.loss);
    return [...byStep].sort((a, b) => a[0] - b[0]) as Array<[number, number]>;
  };
  return lossCurveSvg({
    series: [
      { name: 'train MLM loss', points: series('step') },
      { name: 'held-out MLM loss', points: series('eval') },
    ].filter((s) => s.points.length > 0),
    title: 'MLM pretraining loss',
    logScale: true,
  });
}
