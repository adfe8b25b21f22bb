import { carveValidation } from './carve-validation';

/** The examples of one fine-tuning run, as indices: trained on, choosing the epoch, scored. */
export interface RunSplit {
  /** 0-based held-out fold (cv mode). */
  fold?: number;
  /** Indices into the training examples (train-dev) or the pool (cv). */
  train: number[];
  /** Same index space as `train`; empty with checkpoint 'last'. */
  validation: number[];
  /** Indices into the evaluation examples (train-dev: the dev set; cv: the pool, the held-out fold). */
  evalIndices: number[];
}

/**
 * The runs of one evaluation. train-dev: train everything but a validation part of the train split, score the dev
 * split. cv: for each fold, train the other folds but a validation part of them, score the fold. The validation
 * part (checkpoint 'best' only; `validationFraction` of the training examples, seeded, the same for every seed)
 * always comes out of the training examples, so the scored examples never choose the epoch.
 */
export function runSplits(params: {
  trainCount: number;
  evalCount: number;
  /** cv mode: the folds of the pool (trainCount = evalCount = pool size). */
  folds?: number[][];
  checkpoint: 'best' | 'last';
  validationFraction: number;
  seed: number;
}): RunSplit[] {
  const { folds, checkpoint, validationFraction: fraction, seed } = params;
  const split = (trainable: number[], label: string) =>
    checkpoint === 'best' ? carveValidation({ indices: trainable, fraction, seed, label }) : { train: trainable, validation: [] };
  if (!folds) {
    const all = Array.from({ length: params.trainCount }, (_, i) => i);
    return [{ ...split(all, 'validation'), evalIndices: Array.from({ length: params.evalCount }, (_, i) => i) }];
  }
  return folds.map((heldOut, fold) => {
    const held = new Set(heldOut);
    const trainable = Array.from({ length: params.trainCount }, (_, i) => i).filter((i) => !held.has(i));
    return { fold, ...split(trainable, `validation-fold-${fold}`), evalIndices: [...heldOut] };
  });
}
