import { checkLengths } from './check-lengths';
import { charMacroF1 } from './char-macro-f1';
import { entityF1 } from './entity-f1';

const SPACE = /^\s$/u;

/**
 * KLUE NER scored as KLUE's baseline scores it (klue_ner_entity_macro_f1 / klue_ner_char_macro_f1):
 * - the sentences' whitespace characters are dropped (the baseline scores the characters of the sentence without
 *   spaces; a space between two entity characters does not split the entity),
 * - all sentences are joined into one sequence (the baseline flattens them before calling seqeval),
 * - entity_macro_f1: seqeval strict IOB2, F1 per entity type averaged over the types in gold or predictions — the
 *   primary metric; entity_f1: the same entities micro-averaged,
 * - char_macro_f1: F1 per tag over all `labels.length` tags (O included, an absent tag scores 1), averaged.
 */
export function klueNerScores(params: {
  chars: ReadonlyArray<readonly string[]>;
  gold: ReadonlyArray<ArrayLike<number>>;
  predicted: ReadonlyArray<ArrayLike<number>>;
  labels: readonly string[];
}): { entity_f1: number; entity_macro_f1: number; char_macro_f1: number } {
  const { chars, gold, predicted, labels } = params;
  checkLengths({ metric: 'klueNerScores', gold, predicted });
  checkLengths({ metric: 'klueNerScores (characters)', gold, predicted: chars });
  const flatGold: number[] = [];
  const flatPredicted: number[] = [];
  gold.forEach((sentence, s) => {
    checkLengths({ metric: `klueNerScores (sentence ${s})`, gold: sentence, predicted: predicted[s] });
    checkLengths({ metric: `klueNerScores (sentence ${s} characters)`, gold: sentence, predicted: chars[s] });
    for (let i = 0; i < sentence.length; i++) {
      if (SPACE.test(chars[s][i])) continue;
      flatGold.push(sentence[i]);
      flatPredicted.push(predicted[s][i]);
    }
  });
  const toTags = (ids: number[]): string[] => ids.map((id) => labels[id]);
  const entities = entityF1({ gold: [toTags(flatGold)], predicted: [toTags(flatPredicted)] });
  return {
    entity_f1: entities.f1,
    entity_macro_f1: entities.macroF1,
    char_macro_f1: charMacroF1({ gold: [flatGold], predicted: [flatPredicted], numLabels: labels.length }),
  };
}
