/** True positives, false positives and false negatives of one class. */
export interface ClassCounts {
  tp: number;
  fp: number;
  fn: number;
}

/** Per-class counts over paired gold/predicted class ids. */
export function classCounts(params: { gold: ArrayLike<number>; predicted: ArrayLike<number> }): Map<number, ClassCounts> {
  const counts = new Map<number, ClassCounts>();
  const get = (label: number): ClassCounts => {
    let entry = counts.get(label);
    if (!entry) {
      entry = { tp: 0, fp: 0, fn: 0 };
      counts.set(label, entry);
    }
    return entry;
  };
  for (let i = 0; i < params.gold.length; i++) {
    const gold = params.gold[i];
    const predicted = params.predicted[i];
    if (gold === predicted) {
      get(gold).tp++;
    } else {
      get(gold).fn++;
      get(predicted).fp++;
    }
  }
  return counts;
}

/**
 * F1 of one class, 2·tp / (2·tp + fp + fn) — equal to 2PR/(P+R) — and `zeroDivision` when the class
 * is neither in the gold labels nor predicted (scikit-learn's `zero_division`).
 */
export function f1FromCounts(counts: ClassCounts, zeroDivision = 0): number {
  const denominator = 2 * counts.tp + counts.fp + counts.fn;
  return denominator === 0 ? zeroDivision : (2 * counts.tp) / denominator;
}
