import { KoenbertError } from '@koenbert/tensor-utils';
import type { WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { gatherRows, type Matrix } from './matrix';
import type { TokenPairs } from './select-pairs';
import { applyLinearMap, type LinearMap } from './strategies/linear-map';
import { fitLstsq } from './strategies/lstsq';
import { meanEmbeddingRows } from './strategies/mean';
import { applyMlp, fitMlpIter, type MlpEvent, type MlpOptions } from './strategies/mlp';
import { fitProcrustes } from './strategies/procrustes';
import { fitRidge, type RidgeCvPoint } from './strategies/ridge';
import { maskVocab, subwordMeanRows } from './strategies/subword-mean';

export const METHODS = ['ridge', 'lstsq', 'procrustes', 'mlp', 'mean', 'subword-mean'] as const;
export type EmbedInitMethod = (typeof METHODS)[number];

export interface MethodOptions {
  ridge: { alphas: number[]; folds: number; lambda?: number };
  procrustes: { scale: boolean };
  mlp: MlpOptions;
  mean: { noise: number };
}

/** What a fit learned, for the report. */
export interface MethodDetails {
  lambda?: number;
  alpha?: number | null;
  cv?: RidgeCvPoint[];
  scale?: number;
  epochs?: number;
  /** subword-mean: tokens with no known Korean piece (given the mean embedding). */
  fallbacks?: number;
}

export interface FittedMethod {
  method: EmbedInitMethod;
  details: MethodDetails;
  /** Korean-space rows for tokens (their English rows are `englishIds` of the English embeddings). */
  predict(targets: { tokens: string[]; englishIds: Int32Array }): Matrix;
}

export type FitMethodEvent = MlpEvent;

/**
 * Fits one method on training pairs. `english` / `korean` are the two models' full input embedding
 * matrices. `subwordTokenizer` (subword-mean only) must produce Korean ids only; `unseenKoreanIds`
 * are masked out of it, so held-out tokens are cut into pieces as if they were new.
 */
export async function* fitMethodIter(params: {
  method: EmbedInitMethod;
  train: TokenPairs;
  english: Matrix;
  korean: Matrix;
  options: MethodOptions;
  seed: number;
  subwordTokenizer?: WordPieceTokenizer;
  unseenKoreanIds?: Int32Array;
}): AsyncGenerator<FitMethodEvent, FittedMethod> {
  const { method, train, english, korean, options, seed } = params;
  const pairX = (): Matrix => gatherRows({ source: english, ids: train.englishIds });
  const pairY = (): Matrix => gatherRows({ source: korean, ids: train.koreanIds });
  const linear = (map: LinearMap, details: MethodDetails): FittedMethod => ({
    method,
    details,
    predict: (targets) => applyLinearMap({ map, x: gatherRows({ source: english, ids: targets.englishIds }) }),
  });
  switch (method) {
    case 'ridge': {
      const fit = fitRidge({ x: pairX(), y: pairY(), lambda: options.ridge.lambda, alphas: options.ridge.alphas, folds: options.ridge.folds, seed });
      return linear(fit.map, { lambda: fit.lambda, alpha: fit.alpha, cv: fit.cv });
    }
    case 'lstsq':
      return linear(fitLstsq({ x: pairX(), y: pairY() }), {});
    case 'procrustes': {
      const fit = fitProcrustes({ x: pairX(), y: pairY(), scale: options.procrustes.scale });
      return linear(fit.map, { scale: fit.scale });
    }
    case 'mlp': {
      const iterator = fitMlpIter({ x: pairX(), y: pairY(), options: options.mlp, seed });
      let epochs = 0;
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          const model = next.value;
          return { method, details: { epochs }, predict: (targets) => applyMlp({ model, x: gatherRows({ source: english, ids: targets.englishIds }) }) };
        }
        epochs = next.value.epoch;
        yield next.value;
      }
    }
    case 'mean':
      return {
        method,
        details: {},
        predict: (targets) => meanEmbeddingRows({ korean, count: targets.tokens.length, noise: options.mean.noise, seed }),
      };
    case 'subword-mean': {
      if (!params.subwordTokenizer) throw new KoenbertError({ code: 'INTERNAL', message: 'subword-mean needs a Korean tokenizer' });
      const masked = params.unseenKoreanIds?.length ? maskVocab({ tokenizer: params.subwordTokenizer, masked: params.unseenKoreanIds }) : params.subwordTokenizer;
      const details: MethodDetails = { fallbacks: 0 };
      return {
        method,
        details,
        predict: (targets) => {
          const result = subwordMeanRows({ tokens: targets.tokens, tokenizer: masked, korean });
          details.fallbacks = result.fallbacks;
          return result.rows;
        },
      };
    }
  }
}
