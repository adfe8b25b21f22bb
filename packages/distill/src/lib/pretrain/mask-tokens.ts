import type { SeededRng } from '@koenbert/tensor-utils';

/** One batch after dynamic masking; row-major [batch, seq] like the ids it came from. */
export interface MaskedTokens {
  /** Ids with the selected tokens replaced ([MASK], random or unchanged). */
  inputIds: Int32Array;
  /** The original id at selected positions, −100 elsewhere (transformers' convention). */
  labels: Int32Array;
  /** Flat indices (row × seq + column) of the selected positions, ascending. */
  positions: Int32Array;
  /** The original ids at `positions` (the prediction targets). */
  targets: Int32Array;
}

/**
 * BERT's dynamic masking (Devlin et al. 2019, §3.1; transformers' DataCollatorForLanguageModeling): each token that
 * is not special (and not padding) is selected with `probability`; a selected token becomes [MASK] with
 * `maskRatio`, a uniformly random vocabulary id with `randomRatio`, and stays unchanged otherwise. Draws come from
 * `rng` in position order, so the same generator state gives the same masks. When nothing was selected but some
 * token could be, one such token is selected so every batch has a target.
 */
export function maskTokens(params: {
  ids: Int32Array;
  specialIds: ReadonlySet<number>;
  vocabSize: number;
  maskId: number;
  rng: SeededRng;
  probability: number;
  maskRatio: number;
  randomRatio: number;
}): MaskedTokens {
  const { ids, specialIds, rng } = params;
  const inputIds = Int32Array.from(ids);
  const labels = new Int32Array(ids.length).fill(-100);
  const selected: number[] = [];
  const candidates: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (specialIds.has(ids[i])) continue;
    candidates.push(i);
    if (rng.nextFloat() < params.probability) selected.push(i);
  }
  if (selected.length === 0 && candidates.length > 0) selected.push(candidates[rng.int(candidates.length)]);
  for (const i of selected) {
    labels[i] = ids[i];
    const u = rng.nextFloat();
    if (u < params.maskRatio) inputIds[i] = params.maskId;
    else if (u < params.maskRatio + params.randomRatio) inputIds[i] = rng.int(params.vocabSize);
  }
  const positions = Int32Array.from(selected);
  return { inputIds, labels, positions, targets: Int32Array.from(selected, (i) => ids[i]) };
}
