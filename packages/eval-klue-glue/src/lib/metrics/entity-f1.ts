import { checkLengths } from './check-lengths';
import { extractEntities } from './extract-entities';

export interface EntityScores {
  /** Micro-averaged over all entities (seqeval's default average). */
  precision: number;
  recall: number;
  f1: number;
  /** Mean of per-type F1 over the types seen in gold or predictions. */
  macroF1: number;
  perType: Record<string, { precision: number; recall: number; f1: number; support: number }>;
}

function prf(tp: number, predicted: number, gold: number): { precision: number; recall: number; f1: number } {
  const precision = predicted === 0 ? 0 : tp / predicted;
  const recall = gold === 0 ? 0 : tp / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/**
 * Entity-level precision, recall and F1 with seqeval's strict IOB2 semantics: an entity counts as correct
 * only when type, start and end all match a gold entity of the same sentence. Ill-defined ratios are 0
 * (seqeval's zero_division default); with no entities anywhere every score is 0.
 */
export function entityF1(params: { gold: ReadonlyArray<readonly string[]>; predicted: ReadonlyArray<readonly string[]> }): EntityScores {
  const { gold, predicted } = params;
  checkLengths({ metric: 'entityF1', gold, predicted });
  const stats = new Map<string, { tp: number; gold: number; predicted: number }>();
  const get = (type: string) => {
    let entry = stats.get(type);
    if (!entry) {
      entry = { tp: 0, gold: 0, predicted: 0 };
      stats.set(type, entry);
    }
    return entry;
  };
  for (let s = 0; s < gold.length; s++) {
    checkLengths({ metric: `entityF1 (sentence ${s})`, gold: gold[s], predicted: predicted[s] });
    const goldKeys = new Set<string>();
    for (const span of extractEntities(gold[s])) {
      goldKeys.add(`${span.type}\t${span.start}\t${span.end}`);
      get(span.type).gold++;
    }
    for (const span of extractEntities(predicted[s])) {
      const entry = get(span.type);
      entry.predicted++;
      if (goldKeys.has(`${span.type}\t${span.start}\t${span.end}`)) entry.tp++;
    }
  }
  let tp = 0;
  let goldTotal = 0;
  let predictedTotal = 0;
  const perType: EntityScores['perType'] = {};
  for (const type of [...stats.keys()].sort()) {
    const entry = stats.get(type)!;
    tp += entry.tp;
    goldTotal += entry.gold;
    predictedTotal += entry.predicted;
    perType[type] = { ...prf(entry.tp, entry.predicted, entry.gold), support: entry.gold };
  }
  const types = Object.values(perType);
  const macroF1 = types.length === 0 ? 0 : types.reduce((sum, scores) => sum + scores.f1, 0) / types.length;
  return { ...prf(tp, predictedTotal, goldTotal), macroF1, perType };
}
