import { KoenbertError } from '@koenbert/tensor-utils';

/** Token ids of one document for the teacher and, position by position, for the student. */
export interface AlignedTokens {
  teacherIds: number[];
  studentIds: number[];
}

/** [CLS] and [SEP] ids of the teacher and of the student (merged) vocabulary. */
export interface SpecialIds {
  cls: { teacher: number; student: number };
  sep: { teacher: number; student: number };
}

/** The part of a document that did not fit into the last sequence (packing only); JSON-serialisable. */
export interface PackerState {
  pending: AlignedTokens | null;
}

/**
 * Builds the next sequence, at most `maxLength` ids, from documents given by `pull` (documents without
 * [CLS]/[SEP]).
 * - packing: `[CLS] doc₁ [SEP] doc₂ [SEP] …` filled up to `maxLength`; a document that does not fit is cut,
 *   its first part ends this sequence (with [SEP]) and the rest starts the next one (`state.pending`).
 * - no packing: `[CLS] doc [SEP]`, the document truncated to `maxLength − 2` tokens.
 * Empty documents are skipped. Returns the sequence and the new state (the input state is not changed).
 */
export async function packSequence(params: {
  pull: () => Promise<AlignedTokens>;
  state: PackerState;
  maxLength: number;
  packing: boolean;
  specials: SpecialIds;
}): Promise<{ sequence: AlignedTokens; state: PackerState }> {
  const { maxLength, specials } = params;
  if (!Number.isInteger(maxLength) || maxLength < 3) {
    throw new KoenbertError({ code: 'PACKING_LENGTH', message: `maxLength must be an integer ≥ 3, got ${maxLength}` });
  }
  const teacherIds = [specials.cls.teacher];
  const studentIds = [specials.cls.student];
  let pending = params.state.pending;
  const nextDocument = async (): Promise<AlignedTokens> => {
    if (pending) {
      const doc = pending;
      pending = null;
      return doc;
    }
    for (;;) {
      const doc = await params.pull();
      if (doc.teacherIds.length !== doc.studentIds.length) {
        throw new KoenbertError({ code: 'PACKING_ALIGNMENT', message: `teacher and student ids differ in length (${doc.teacherIds.length} vs ${doc.studentIds.length})` });
      }
      if (doc.teacherIds.length > 0) return doc;
    }
  };
  const append = (doc: AlignedTokens, count: number) => {
    for (let i = 0; i < count; i++) {
      teacherIds.push(doc.teacherIds[i]);
      studentIds.push(doc.studentIds[i]);
    }
    teacherIds.push(specials.sep.teacher);
    studentIds.push(specials.sep.student);
  };

  if (!params.packing) {
    const doc = await nextDocument();
    append(doc, Math.min(doc.teacherIds.length, maxLength - 2));
    return { sequence: { teacherIds, studentIds }, state: { pending: null } };
  }
  // room for at least one token and its [SEP]
  while (teacherIds.length <= maxLength - 2) {
    const doc = await nextDocument();
    const room = maxLength - teacherIds.length - 1;
    if (doc.teacherIds.length <= room) {
      append(doc, doc.teacherIds.length);
      continue;
    }
    append(doc, room);
    pending = { teacherIds: doc.teacherIds.slice(room), studentIds: doc.studentIds.slice(room) };
  }
  return { sequence: { teacherIds, studentIds }, state: { pending } };
}
