import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import {
  applyTrainingStep,
  defaultDecayExcluded,
  explainOutOfMemory,
  KoenbertError,
  resolveModelDir,
  SeededRng,
  type HubOptions,
  type JsonlLogger,
  type PlannedStep,
} from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer, readMergeMap, type MergeMap, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { mixProbability, parseDistillConfig, type DistillConfig, type DistillConfigInput } from '../config';
import type { Language } from '../data/detect-language';
import { LanguageBatches, type LanguageDataState } from '../data/language-batches';
import { languageForStep, parseMixSchedule, type MixPoint } from '../data/language-mixer';
import type { RelationType } from '../losses/minilm-v2';
import { writeLossCurve } from '../report/write-loss-curve';
import { restoreCheckpoint, writeCheckpoint } from './checkpoint';
import { distillStepPlan } from './distill-step-plan';
import { logFirstStep } from './log-first-step';
import { openRunLog } from './open-run-log';
import { optimizerFromConfig } from './optimizer-from-config';
import { prepareRunOutput } from './prepare-run-output';
import { relationGrads } from './relation-grads';
import { saveDistilledModel } from './save-distilled-model';
import { TrainingRun, type StepProgress, type TrainerOptions, type TrainingRunEvent } from './training-run';

export type DistillEvent =
  | {
      type: 'start';
      config: DistillConfig;
      /** Steps already done (from a resumed checkpoint), else 0. */
      startStep: number;
      totalSteps: number;
      languages: Language[];
      englishProbability: number;
      /** 1-based layers distilled. */
      teacherLayers: Partial<Record<Language, number>>;
      studentLayer: number;
      studentParams: number;
      resumedFrom?: string;
    }
  | ({
      type: 'step';
      lang: Language;
      /** Relation loss of this step (Σ weighted Q-Q, K-K, V-V; mean over micro-batches; before the language weight). */
      loss: number;
      perRelation: Record<RelationType, number>;
      /** Running mean of the loss per language over the last 100 steps of that language. */
      recentLoss: Partial<Record<Language, number>>;
    } & StepProgress)
  | TrainingRunEvent
  | { type: 'done'; step: number; output: string; files: string[]; lossCurve: string; log: string };

/** What a config cannot carry: a stop signal, process signal handling, a Hub token, a fetch for tests. */
export type DistillOptions = TrainerOptions;

/** The trainer's part of a checkpoint. */
export interface DistillTrainingState {
  data: Partial<Record<Language, LanguageDataState>>;
  dropoutRng: number[];
  config: DistillConfig;
}

export const DISTILL_LOG = 'distill-log.jsonl';
export const DISTILL_CONFIG_FILE = 'distill-config.json';
export const LOSS_CURVE_FILE = 'loss-curve.svg';
const WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight';

interface Teacher {
  model: BertModel;
  tokenizer: WordPieceTokenizer;
  /** 0-based. */
  layer: number;
}

/** Default teacher layer (1-based): the last for up to 12 layers, else the upper middle (20 of 24). */
export function defaultTeacherLayer(numLayers: number): number {
  return numLayers <= 12 ? numLayers : Math.round((numLayers * 5) / 6);
}

function checkLayer(field: string, layer: number, numLayers: number): number {
  if (layer < 1 || layer > numLayers) {
    throw new KoenbertError({ code: 'CONFIG_INVALID', message: `${field}: layer ${layer} is outside 1…${numLayers}` });
  }
  return layer - 1;
}

function checkRelationHeads(who: string, hidden: number, heads: number): void {
  if (hidden % heads !== 0) {
    throw new KoenbertError({
      code: 'CONFIG_INVALID',
      message: `loss.relationHeads: the ${who} hidden size ${hidden} does not split into ${heads} relation heads (choose a divisor of ${hidden})`,
    });
  }
}

async function loadTeacher(params: { lang: Language; config: DistillConfig; hub: HubOptions; merged: MergeMap }): Promise<Teacher> {
  const spec = params.config.teachers[params.lang];
  const model = await BertModel.fromPretrained(spec.model, { task: 'base', ...params.hub });
  const tokenizer = await loadWordPieceTokenizer(spec.tokenizer ?? spec.model, params.hub);
  const layers = model.config.num_hidden_layers;
  const layer = checkLayer(`teachers.${params.lang}.layer`, spec.layer ?? defaultTeacherLayer(layers), layers);
  if (model.config.vocab_size < tokenizer.size) {
    throw new KoenbertError({
      code: 'TEACHER_MISMATCH',
      message: `the ${params.lang} teacher ${spec.model} has ${model.config.vocab_size} embeddings but its tokenizer has ${tokenizer.size} tokens`,
    });
  }
  checkRelationHeads(`${params.lang} teacher`, model.config.hidden_size, params.config.loss.relationHeads);
  return { model, tokenizer, layer };
}

/** Which languages have text: their own sources, or a mixed source split by language. */
function activeLanguages(config: DistillConfig): Language[] {
  return (['en', 'ko'] as const).filter((lang) => config.data[lang].length > 0 || config.data.mixed.length > 0);
}

/** Sum of two gradient maps (a is consumed). */
function addGrads(a: Map<string, tf.Tensor> | undefined, b: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  if (!a) return b;
  for (const [name, grad] of b) {
    const previous = a.get(name);
    if (previous) {
      a.set(name, tf.add(previous, grad));
      previous.dispose();
      grad.dispose();
    } else a.set(name, grad);
  }
  return a;
}

/**
 * MiniLMv2 distillation of a merged-vocab student from an English and a Korean teacher (see the package README).
 * Each step draws its language, runs `gradAccumulation` micro-batches of that language's packed text through the
 * teacher (its own ids, no gradient) and the student (the aligned merged ids), and applies AdamW with warmup +
 * linear decay and global-norm clipping. Checkpoints go to `<output>/checkpoints` every `checkpoint.every` steps, on
 * stop (AbortSignal, SIGINT, SIGTERM) and at the end; `resume` continues bit-identically. A non-finite loss or
 * gradient stops the run (KoenbertError NON_FINITE_LOSS naming the step) and leaves the last good checkpoint; a wasm
 * heap exhausted during the run stops it with OUT_OF_MEMORY, naming the step's estimate and the ways out.
 * At the end `<output>` holds the BertForMaskedLM folder with the merged tokenizer, the JSONL log and a loss-curve SVG.
 */
export async function* distillIter(input: DistillConfigInput | DistillConfig, options: DistillOptions = {}): AsyncGenerator<DistillEvent, void> {
  const config = parseDistillConfig(input);
  const hub: HubOptions = { ...config.hub, token: options.hubToken, fetch: options.fetch };
  const { output, checkpointDir, logFile, resumeFrom: existing } = await prepareRunOutput({ output: config.output, logName: DISTILL_LOG, resume: config.resume, overwrite: config.overwrite });

  const languages = activeLanguages(config);
  const schedule: MixPoint[] | undefined = config.data.mixSchedule ? parseMixSchedule(config.data.mixSchedule) : undefined;
  const englishRatio = languages.length === 1 ? (languages[0] === 'en' ? 1 : 0) : mixProbability(config.data.mix);

  const tokenizerDir = await resolveModelDir({
    repoOrPath: config.student,
    files: ['merge-map.json'],
    optionalFiles: ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'],
    ...hub,
  });
  const merged = await readMergeMap(tokenizerDir);
  const student = await BertModel.fromPretrained(config.student, { task: 'base', ...hub });
  const teachers: Partial<Record<Language, Teacher>> = {};
  const batches: Partial<Record<Language, LanguageBatches>> = {};
  const optimizer = optimizerFromConfig({
    optim: config.optim,
    // frozen rows must not decay either: with freezing, the word embeddings get no weight decay at all
    decayExcluded: (name) => defaultDecayExcluded(name) || (config.optim.freezeOldEmbeddings && name === WORD_EMBEDDINGS),
  });
  let freezeMask: tf.Tensor | undefined;
  let logger: JsonlLogger | undefined;
  let run: TrainingRun | undefined;
  let memoryPlan: PlannedStep | undefined;

  try {
    if (student.config.vocab_size !== merged.mergedVocabSize) {
      throw new KoenbertError({
        code: 'STUDENT_MISMATCH',
        file: config.student,
        message: `the student has ${student.config.vocab_size} embeddings but merge-map.json has ${merged.mergedVocabSize} merged tokens`,
      });
    }
    checkRelationHeads('student', student.config.hidden_size, config.loss.relationHeads);
    const studentLayer = checkLayer('studentLayer', config.studentLayer ?? student.config.num_hidden_layers, student.config.num_hidden_layers);
    for (const lang of languages) teachers[lang] = await loadTeacher({ lang, config, hub, merged });
    memoryPlan = distillStepPlan({ config, student: student.config, teachers: languages.map((lang) => teachers[lang]!.model.config) });
    if (config.optim.freezeOldEmbeddings) {
      const rows = student.config.vocab_size;
      freezeMask = tf.tidy(() => tf.reshape(tf.cast(tf.greaterEqual(tf.range(0, rows, 1, 'int32'), merged.koreanVocabSize), 'float32'), [rows, 1]));
    }

    const warmupSteps = config.optim.warmupSteps ?? Math.round(config.optim.warmupRatio * config.steps);
    let step = 0;
    let dropoutRng = new SeededRng(config.seed).fork('dropout');
    let dataStates: DistillTrainingState['data'] = {};
    let resumedFrom: string | undefined;
    if (config.resume && existing) {
      const state = await restoreCheckpoint<DistillTrainingState>({ checkpoint: existing, params: student.params, optimizer });
      step = state.step;
      dropoutRng = SeededRng.fromState(state.training.dropoutRng);
      dataStates = state.training.data;
      resumedFrom = existing;
    }
    for (const lang of languages) {
      const sources = [...config.data[lang].map((source) => ({ source })), ...config.data.mixed.map((source) => ({ source, keepLanguage: lang }))];
      batches[lang] = await LanguageBatches.open({
        lang,
        sources,
        seed: config.seed,
        bufferSize: config.data.shuffleBuffer,
        merged,
        teacher: teachers[lang]!.tokenizer,
        maxLength: config.data.maxLength,
        packing: config.data.packing,
        studentPadId: student.config.pad_token_id ?? 0,
        hub,
        maxLineBytes: config.data.maxLineBytes,
        state: dataStates[lang],
      });
    }

    logger = await openRunLog({ logFile, configName: DISTILL_CONFIG_FILE, config, step, resumedFrom });
    const studentParams = [...student.params.values()].reduce((sum, v) => sum + v.size, 0);
    const teacherLayers = Object.fromEntries(languages.map((lang) => [lang, teachers[lang]!.layer + 1]));
    yield { type: 'start', config, startStep: step, totalSteps: config.steps, languages, englishProbability: englishRatio, teacherLayers, studentLayer: studentLayer + 1, studentParams, resumedFrom };

    const checkpoint = async (): Promise<string> => {
      const training: DistillTrainingState = {
        data: Object.fromEntries(languages.map((lang) => [lang, batches[lang]!.getState()])),
        dropoutRng: dropoutRng.getState(),
        config,
      };
      return writeCheckpoint({ dir: checkpointDir, step, params: student.params, optimizer, training, keep: config.checkpoint.keep });
    };
    run = new TrainingRun({ stage: 'distill', logger, writeCheckpoint: checkpoint, step, resumedFrom, totalSteps: config.steps, checkpointEvery: config.checkpoint.every, options });
    const recent: Record<Language, number[]> = { en: [], ko: [] };

    while (step < config.steps) {
      if (yield* run.stopIfAsked(step)) return;
      run.beginStep();
      const lang = languageForStep({ seed: config.seed, step, englishRatio, schedule });
      const accumulation = config.optim.gradAccumulation;
      let grads: Map<string, tf.Tensor> | undefined;
      let loss = 0;
      const perRelation = { qq: 0, kk: 0, vv: 0 };
      let tokens = 0;
      for (let micro = 0; micro < accumulation; micro++) {
        const batch = await batches[lang]!.nextBatch(config.optim.batchSize);
        tokens += batch.tokens;
        const result = relationGrads({
          batch,
          teacher: teachers[lang]!.model,
          student,
          teacherLayer: teachers[lang]!.layer,
          studentLayer,
          relationHeads: config.loss.relationHeads,
          weights: { qq: config.loss.qq, kk: config.loss.kk, vv: config.loss.vv },
          temperature: config.loss.temperature,
          scale: config.loss[lang] / accumulation,
          dropoutSeed: config.optim.studentDropout ? dropoutRng.nextUint32() : undefined,
        });
        grads = addGrads(grads, result.grads);
        loss += result.loss / accumulation;
        for (const type of ['qq', 'kk', 'vv'] as const) perRelation[type] += result.perRelation[type] / accumulation;
      }
      if (freezeMask && grads!.has(WORD_EMBEDDINGS)) {
        const raw = grads!.get(WORD_EMBEDDINGS)!;
        grads!.set(WORD_EMBEDDINGS, tf.mul(raw, freezeMask));
        raw.dispose();
      }
      const lrSchedule = { step, peakLr: config.optim.lr, warmupSteps, totalSteps: config.steps };
      const update = applyTrainingStep({ params: student.params, grads: grads!, loss, optimizer, maxGradNorm: config.optim.maxGradNorm, schedule: lrSchedule });
      if (!update.applied) return yield* run.nonFinite({ step: step + 1, loss, gradNorm: update.gradNorm, lang });
      const { lr, gradNorm } = update;
      step += 1;

      const { elapsedSeconds, tokensPerSecond, etaSeconds, firstStep } = run.endStep({ step, tokens });
      recent[lang].push(loss);
      if (recent[lang].length > 100) recent[lang].shift();
      const recentLoss = Object.fromEntries(languages.filter((l) => recent[l].length > 0).map((l) => [l, recent[l].reduce((a, b) => a + b, 0) / recent[l].length]));
      logger.log({ event: 'step', step, lang, loss, ...perRelation, lr, gradNorm, tokens, tokensPerSecond, elapsedSeconds });
      run.logOverlong({ step, overlong: batches[lang]!.overlong, maxLineBytes: config.data.maxLineBytes, lang });
      yield { type: 'step', step, totalSteps: config.steps, lang, loss, perRelation, recentLoss, lr, gradNorm, tokens, tokensPerSecond, elapsedSeconds, etaSeconds };
      yield { type: 'progress', stage: 'distill', step, total: config.steps, metrics: { loss, [`loss_${lang}`]: loss, tokensPerSecond } };
      if (firstStep) yield logFirstStep(logger, firstStep);
      yield* run.checkpointIfDue(step);
    }

    const files = await saveDistilledModel({ trained: student, studentSource: config.student, tokenizerDir, output, hub });
    const lossCurve = await writeLossCurve({ log: logFile, file: path.join(output, LOSS_CURVE_FILE) });
    logger.log({ event: 'done', step, files });
    yield { type: 'done', step, output, files: [...files, DISTILL_CONFIG_FILE, DISTILL_LOG, LOSS_CURVE_FILE], lossCurve, log: logFile };
  } catch (error) {
    throw explainOutOfMemory({ error, step: memoryPlan });
  } finally {
    run?.close();
    await logger?.close();
    for (const lang of languages) {
      await batches[lang]?.close();
      teachers[lang]?.model.dispose();
    }
    freezeMask?.dispose();
    optimizer.dispose();
    student.dispose();
  }
}
