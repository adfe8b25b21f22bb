import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import { hubOptionsOf, KoenbertError, refuseExistingOutput, SeededRng, writeDirAtomic, writeFileAtomic, type HubOptions, type ProgressEvent } from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer, readMergeMap, MERGE_MAP_FILE, type MergeMap, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { parseInitEmbeddingsConfig, type InitEmbeddingsConfig, type InitEmbeddingsConfigInput } from './config';
import { fitMethodIter, type EmbedInitMethod, type FitMethodEvent, type FittedMethod, type MethodOptions } from './fit-method';
import { INIT_REPORT_FILE, INIT_REPORT_FORMAT, type InitEmbeddingsReport, type MethodScore } from './init-report';
import { mappingMetrics } from './mapping-metrics';
import { gatherRows, type Matrix } from './matrix';
import { appendedTokens, selectPairs, splitPairs } from './select-pairs';
import { maskVocab } from './strategies/subword-mean';

export type InitEmbeddingsEvent =
  | { type: 'loaded'; what: 'tokenizer' | 'korean' | 'english'; source: string; vocabSize: number; hiddenSize?: number }
  | { type: 'pairs'; pairs: number; train: number; heldOut: number; added: number }
  | { type: 'method-start'; method: EmbedInitMethod; phase: 'score' | 'fill' }
  | (FitMethodEvent & { method: EmbedInitMethod; phase: 'score' | 'fill' })
  | { type: 'method-scored'; score: MethodScore }
  | { type: 'filled'; method: EmbedInitMethod; rows: number; seconds: number }
  | { type: 'written'; output: string; files: string[] }
  | { type: 'done'; report: InitEmbeddingsReport }
  /** After each scored method and after the fill (stage 'init-embeddings'), for a generic progress bar. */
  | ProgressEvent;

/** What the config cannot carry: a Hub token (never saved with the report) and a fetch for tests. */
export interface InitEmbeddingsOptions {
  hubToken?: string;
  fetch?: typeof fetch;
}

const WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight';

/**
 * The init-embeddings stage: loads the merged tokenizer with its merge map and both models, pairs the
 * tokens in both vocabs, scores the configured methods on a held-out share of the pairs, fits the
 * chosen method on all pairs, fills the appended rows with it, grows the Korean model (embeddings,
 * tied MLM decoder, decoder bias, config vocab_size) and writes it with the merged tokenizer files
 * as an HF folder, atomically: on any error nothing is written. Yields progress; returns the report.
 * Call `initBackend()` from @koenbert/tensor-utils first (the linear algebra runs on tfjs).
 */
export async function* initEmbeddingsIter(
  input: InitEmbeddingsConfigInput | InitEmbeddingsConfig,
  options: InitEmbeddingsOptions = {},
): AsyncGenerator<InitEmbeddingsEvent, InitEmbeddingsReport> {
  const config = parseInitEmbeddingsConfig(input);
  await refuseExistingOutput(config.output, config.overwrite);
  const hub: HubOptions = hubOptionsOf(config, options);

  let start = performance.now();
  const merged = await loadWordPieceTokenizer(config.tokenizer);
  const mergeMap = await readMergeMap(config.tokenizer);
  checkMergeMap({ mergeMap, tokenizer: merged, file: path.join(config.tokenizer, MERGE_MAP_FILE) });
  yield { type: 'loaded', what: 'tokenizer', source: config.tokenizer, vocabSize: merged.vocab.length };

  const koreanModel = await BertModel.fromPretrained(config.korean, { task: 'masked-lm', ...hub });
  try {
    const korean = embeddingMatrix({ model: koreanModel, role: 'Korean', source: config.korean, expectedVocab: mergeMap.koreanVocabSize });
    checkFinite({ model: koreanModel, role: 'Korean', source: config.korean });
    yield { type: 'loaded', what: 'korean', source: config.korean, vocabSize: korean.rows, hiddenSize: korean.cols };
    const english = await loadEnglishEmbeddings({ source: config.english, hub, expectedVocab: mergeMap.englishVocabSize });
    yield { type: 'loaded', what: 'english', source: config.english, vocabSize: english.rows, hiddenSize: english.cols };
    const subwordTokenizer = await koreanSubwordTokenizer({ config, merged, koreanVocabSize: mergeMap.koreanVocabSize });
    const loadSeconds = (performance.now() - start) / 1000;

    const specialTokens = [...Object.values(merged.spec.specialTokens).filter((t): t is string => t !== null), ...merged.spec.addedTokens];
    const { pairs, counts } = selectPairs({
      mergeMap,
      specialTokens,
      dropNonWord: config.dropNonWord,
      continuingSubwordPrefix: merged.spec.continuingSubwordPrefix,
    });
    const order = Array.from({ length: pairs.tokens.length }, (_, i) => i);
    new SeededRng(config.seed).fork('held-out').shuffleInPlace(order);
    const { first: train, second: heldOut } = splitPairs({ pairs, fraction: config.heldOut, order });
    const added = appendedTokens(mergeMap);
    yield { type: 'pairs', pairs: counts.pairs, train: train.tokens.length, heldOut: heldOut.tokens.length, added: added.tokens.length };

    const methodOptions: MethodOptions = { ridge: config.ridge, procrustes: config.procrustes, mlp: config.mlp, mean: config.mean };
    const fitParams = { english, korean, options: methodOptions, seed: config.seed, subwordTokenizer };

    start = performance.now();
    const scores: MethodScore[] = [];
    const scored = [...new Set<EmbedInitMethod>([config.method, ...config.compare])];
    const progress = (step: number): ProgressEvent => ({ type: 'progress', stage: 'init-embeddings', step, total: scored.length + 1 });
    for (const method of scored) {
      yield { type: 'method-start', method, phase: 'score' };
      const methodStart = performance.now();
      let score: MethodScore;
      try {
        const fitted: FittedMethod = yield* tagged(fitMethodIter({ method, train, unseenKoreanIds: heldOut.koreanIds, ...fitParams }), method, 'score');
        const predicted = fitted.predict({ tokens: heldOut.tokens, englishIds: heldOut.englishIds });
        const truth = gatherRows({ source: korean, ids: heldOut.koreanIds });
        const heldOutMetrics = mappingMetrics({ predicted, truth, maxQueries: config.nnQueries });
        score = { method, heldOut: heldOutMetrics, details: withoutCurve(fitted.details), seconds: (performance.now() - methodStart) / 1000 };
      } catch (error) {
        // A compared method that cannot run on these pairs is reported; the chosen one must work.
        if (method === config.method || !(error instanceof KoenbertError)) throw error;
        score = { method, heldOut: null, details: {}, seconds: (performance.now() - methodStart) / 1000, error: error.message };
      }
      scores.push(score);
      yield { type: 'method-scored', score };
      yield progress(scores.length);
    }
    const scoreSeconds = (performance.now() - start) / 1000;

    start = performance.now();
    yield { type: 'method-start', method: config.method, phase: 'fill' };
    const final: FittedMethod = yield* tagged(fitMethodIter({ method: config.method, train: pairs, ...fitParams }), config.method, 'fill');
    const newRows = final.predict({ tokens: added.tokens, englishIds: added.englishIds });
    checkRowsFinite(newRows, config.method);
    const fitSeconds = (performance.now() - start) / 1000;
    yield { type: 'filled', method: config.method, rows: newRows.rows, seconds: fitSeconds };
    yield progress(scored.length + 1);

    start = performance.now();
    koreanModel.resizeTokenEmbeddings(mergeMap.mergedVocabSize, newRows.data);
    const report: InitEmbeddingsReport = {
      format: INIT_REPORT_FORMAT,
      korean: { source: config.korean, vocabSize: korean.rows, hiddenSize: korean.cols },
      english: { source: config.english, vocabSize: english.rows, hiddenSize: english.cols },
      merged: { vocabSize: mergeMap.mergedVocabSize, added: added.tokens.length },
      pairs: { ...counts, train: train.tokens.length, heldOut: heldOut.tokens.length },
      chosen: { method: config.method, details: final.details, seconds: fitSeconds },
      scores,
      timings: { loadSeconds, scoreSeconds, fitSeconds, writeSeconds: 0 },
      backend: tf.getBackend(),
      files: [],
      config,
    };
    const files: string[] = [];
    await writeDirAtomic(config.output, async (dir) => {
      await koreanModel.savePretrained(dir);
      for (const name of (await fs.readdir(config.tokenizer, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort()) {
        if (name === 'config.json' || name.startsWith('model.') || name === INIT_REPORT_FILE) continue;
        await fs.copyFile(path.join(config.tokenizer, name), path.join(dir, name));
      }
      files.push(...(await fs.readdir(dir)).sort(), INIT_REPORT_FILE);
      report.files = [...new Set(files)].sort();
      report.timings.writeSeconds = (performance.now() - start) / 1000;
      await writeFileAtomic(path.join(dir, INIT_REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
    });
    yield { type: 'written', output: config.output, files: report.files };
    yield { type: 'done', report };
    return report;
  } finally {
    koreanModel.dispose();
  }
}

/** initEmbeddingsIter drained: runs the stage and returns its report. */
export async function initEmbeddings(input: InitEmbeddingsConfigInput | InitEmbeddingsConfig, options: InitEmbeddingsOptions = {}): Promise<InitEmbeddingsReport> {
  const iterator = initEmbeddingsIter(input, options);
  for (;;) {
    const next = await iterator.next();
    if (next.done) return next.value;
  }
}

async function* tagged<T>(
  inner: AsyncGenerator<FitMethodEvent, T>,
  method: EmbedInitMethod,
  phase: 'score' | 'fill',
): AsyncGenerator<InitEmbeddingsEvent, T> {
  for (;;) {
    const next = await inner.next();
    if (next.done) return next.value;
    yield { ...next.value, method, phase };
  }
}

function withoutCurve(details: FittedMethod['details']): FittedMethod['details'] {
  const { cv: _cv, ...rest } = details;
  return rest;
}

/** The merge map must describe this tokenizer: one entry per token, same strings, same order. */
export function checkMergeMap(params: { mergeMap: MergeMap; tokenizer: WordPieceTokenizer; file: string }): void {
  const { mergeMap, tokenizer, file } = params;
  if (mergeMap.mergedVocabSize !== tokenizer.vocab.length) {
    throw new KoenbertError({
      code: 'MERGE_MAP_MISMATCH',
      file,
      message: `mergedVocabSize is ${mergeMap.mergedVocabSize} but the tokenizer beside it has ${tokenizer.vocab.length} tokens; rebuild both with merge-vocab`,
    });
  }
  const wrong = mergeMap.entries.findIndex((entry, id) => entry.token !== tokenizer.vocab[id]);
  if (wrong >= 0) {
    throw new KoenbertError({
      code: 'MERGE_MAP_MISMATCH',
      file,
      message: `entry ${wrong} is ${JSON.stringify(mergeMap.entries[wrong].token)} but the tokenizer's token ${wrong} is ${JSON.stringify(tokenizer.vocab[wrong])}; rebuild both with merge-vocab`,
    });
  }
}

function wordEmbeddingName(model: BertModel): string {
  const name = [...model.params.keys()].find((key) => key.endsWith(WORD_EMBEDDINGS));
  if (!name) throw new KoenbertError({ code: 'INTERNAL', message: `BertModel has no ${WORD_EMBEDDINGS}` });
  return name;
}

/** The model's input embeddings as a matrix, after checking them against its config and the merge map. */
function embeddingMatrix(params: { model: BertModel; role: string; source: string; expectedVocab: number }): Matrix {
  const { model, role, source, expectedVocab } = params;
  const name = wordEmbeddingName(model);
  const { vocab_size: vocab, hidden_size: hidden } = model.config;
  if (model.loadReport?.missing.includes(name)) {
    throw new KoenbertError({ code: 'CHECKPOINT_INVALID', file: source, message: `the ${role} checkpoint has no word embeddings (${name})` });
  }
  if (vocab !== expectedVocab) {
    throw new KoenbertError({
      code: 'MERGE_MAP_MISMATCH',
      file: source,
      message: `the ${role} model has vocab_size ${vocab} but merge-map.json expects ${expectedVocab}; use the model the ${role} tokenizer of the merge belongs to`,
    });
  }
  const variable = model.params.get(name)!;
  if (variable.shape[0] !== vocab || variable.shape[1] !== hidden) {
    throw new KoenbertError({ code: 'HIDDEN_SIZE_MISMATCH', file: source, message: `${name} is [${variable.shape.join(', ')}] but config.json says [${vocab}, ${hidden}]` });
  }
  return { rows: vocab, cols: hidden, data: variable.dataSync() as Float32Array };
}

function checkFinite(params: { model: BertModel; role: string; source: string }): void {
  for (const [name, variable] of params.model.params) {
    const data = variable.dataSync();
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new KoenbertError({ code: 'NAN_IN_WEIGHTS', file: params.source, message: `the ${params.role} model's ${name} holds ${data[i]} (element ${i})` });
      }
    }
  }
}

async function loadEnglishEmbeddings(params: { source: string; hub: HubOptions; expectedVocab: number }): Promise<Matrix> {
  const model = await BertModel.fromPretrained(params.source, { task: 'base', ...params.hub });
  try {
    const matrix = embeddingMatrix({ model, role: 'English', source: params.source, expectedVocab: params.expectedVocab });
    const copy = { ...matrix, data: Float32Array.from(matrix.data) };
    const bad = copy.data.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      throw new KoenbertError({ code: 'NAN_IN_WEIGHTS', file: params.source, message: `the English model's ${wordEmbeddingName(model)} holds ${copy.data[bad]} (element ${bad})` });
    }
    return copy;
  } finally {
    model.dispose();
  }
}

/** subword-mean's tokenizer: the given one (its vocab must be the Korean model's), or the merged one with the appended ids masked. */
async function koreanSubwordTokenizer(params: { config: InitEmbeddingsConfig; merged: WordPieceTokenizer; koreanVocabSize: number }): Promise<WordPieceTokenizer | undefined> {
  const { config, merged, koreanVocabSize } = params;
  if (config.method !== 'subword-mean' && !config.compare.includes('subword-mean')) return undefined;
  if (config.subwordTokenizer) {
    const tokenizer = await loadWordPieceTokenizer(config.subwordTokenizer);
    if (tokenizer.vocab.length !== koreanVocabSize) {
      throw new KoenbertError({
        code: 'MERGE_MAP_MISMATCH',
        file: config.subwordTokenizer,
        message: `subwordTokenizer has ${tokenizer.vocab.length} tokens but the Korean vocab of the merge has ${koreanVocabSize}`,
      });
    }
    return tokenizer;
  }
  return maskVocab({ tokenizer: merged, masked: Array.from({ length: merged.vocab.length - koreanVocabSize }, (_, i) => koreanVocabSize + i) });
}

function checkRowsFinite(rows: Matrix, method: EmbedInitMethod): void {
  const bad = rows.data.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) {
    throw new KoenbertError({ code: 'NAN_IN_WEIGHTS', message: `${method} produced ${rows.data[bad]} for new row ${Math.floor(bad / rows.cols)}; nothing was written` });
  }
}

