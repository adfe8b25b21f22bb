import { KoenbertError } from '@koenbert/tensor-utils';
import type { TeacherLanguage } from './encode-aligned';
import { mergeIdTables, type MergeMap } from './merge-map';
import { tokenizerSpecToJson, type TokenizerSpec } from './tokenizer-spec';

/** The per-language tokenizer files of a merged folder, beside the merged tokenizer.json. */
export const LANGUAGE_TOKENIZER_FILES = { ko: 'tokenizer-ko.json', en: 'tokenizer-en.json' } as const satisfies Record<TeacherLanguage, string>;

/**
 * The teacher tokenizer of one language with merged ids: the teacher's normalizer, pre-tokenizer, special and added
 * tokens, and a WordPiece model whose vocab maps each teacher token string to its merged id. HF `tokenizers` runs the
 * teacher's segmentation on any text and returns, token for token, the merged id of what the teacher returns
 * (`encodeAligned`'s studentIds). Teacher tokens without a merged home ([unusedN] slots, which WordPiece never emits
 * from text) are left out, so the [UNK] id decodes to the [UNK] token.
 */
export function languageTokenizerJson(params: { lang: TeacherLanguage; teacher: TokenizerSpec; map: MergeMap }): string {
  const { lang, teacher, map } = params;
  const expected = lang === 'ko' ? map.koreanVocabSize : map.englishVocabSize;
  if (teacher.vocab.length !== expected) {
    throw new KoenbertError({
      code: 'TEACHER_MISMATCH',
      message: `the ${lang} tokenizer has ${teacher.vocab.length} tokens but the merge map was built from one with ${expected}`,
    });
  }
  const teacherUnk = teacher.vocab.indexOf(teacher.specialTokens.unk);
  const unkEntry = map.entries.find((entry) => (lang === 'ko' ? entry.koreanId : entry.englishId) === teacherUnk);
  if (!unkEntry) throw new KoenbertError({ code: 'TEACHER_MISMATCH', message: `the ${lang} tokenizer's ${teacher.specialTokens.unk} has no merged id` });
  const tables = mergeIdTables(map, unkEntry.mergedId);
  const table = lang === 'ko' ? tables.koreanToMerged : tables.englishToMerged;
  const ids = new Map<string, number>();
  teacher.vocab.forEach((token, teacherId) => {
    const mergedId = table[teacherId];
    if (mergedId !== unkEntry.mergedId || teacherId === teacherUnk) ids.set(token, mergedId);
  });
  return tokenizerSpecToJson(teacher, { ids });
}
