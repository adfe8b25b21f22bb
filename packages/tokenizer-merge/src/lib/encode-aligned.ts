import { KoenbertError } from '@koenbert/tensor-utils';
import type { EncodeOptions, Encoding } from './encoding';
import { mergeIdTables, type MergeMap } from './merge-map';
import type { WordPieceTokenizer } from './word-piece-tokenizer';

export type TeacherLanguage = 'ko' | 'en';

/** A teacher's ids and, position by position, the merged (student) ids of the same tokens. */
export interface AlignedIds {
  teacherIds: number[];
  studentIds: number[];
  typeIds: number[];
}

function teacherToMerged(merged: MergeMap, lang: TeacherLanguage, teacher: WordPieceTokenizer): Int32Array {
  const expected = lang === 'ko' ? merged.koreanVocabSize : merged.englishVocabSize;
  if (teacher.size !== expected) {
    throw new KoenbertError({
      code: 'TEACHER_MISMATCH',
      message: `the ${lang} teacher tokenizer has ${teacher.size} tokens but the merge map was built from one with ${expected}`,
    });
  }
  if (lang === 'ko') return mergeIdTables(merged, teacher.unkId).koreanToMerged;
  const unkEntry = merged.entries.find((entry) => entry.englishId === teacher.unkId);
  return mergeIdTables(merged, unkEntry ? unkEntry.mergedId : 0).englishToMerged;
}

function align(encoding: Encoding, table: Int32Array): AlignedIds {
  return { teacherIds: encoding.ids, studentIds: encoding.ids.map((id) => table[id]), typeIds: encoding.typeIds };
}

/**
 * Tokenizes with the teacher and maps every teacher token to the merged id of the same token, so the
 * student sees exactly the teacher's segmentation (one-to-one by construction: Korean ids are kept,
 * each English token has a merged id; [unusedN] slots, which BERT never emits from text, map to [UNK]).
 */
export function encodeAligned(params: {
  text: string;
  pair?: string;
  lang: TeacherLanguage;
  merged: MergeMap;
  teacher: WordPieceTokenizer;
  maxLength?: number;
}): AlignedIds {
  const table = teacherToMerged(params.merged, params.lang, params.teacher);
  const options: EncodeOptions = params.maxLength === undefined ? {} : { maxLength: params.maxLength };
  return align(params.teacher.encode(params.text, params.pair, options), table);
}

/** encodeAligned for many texts at once, through Hugging Face `tokenizers`. */
export async function encodeAlignedBatch(params: {
  texts: string[] | Array<[string, string]>;
  lang: TeacherLanguage;
  merged: MergeMap;
  teacher: WordPieceTokenizer;
  maxLength?: number;
  engine?: EncodeOptions['engine'];
}): Promise<AlignedIds[]> {
  const table = teacherToMerged(params.merged, params.lang, params.teacher);
  const options: EncodeOptions = { engine: params.engine, ...(params.maxLength === undefined ? {} : { maxLength: params.maxLength }) };
  const encodings = await params.teacher.encodeBatch(params.texts, options);
  return encodings.map((encoding) => align(encoding, table));
}
