import type { Language } from './detect-language';
import type { AlignedTokens } from './packing';
import type { TokenBatch } from './language-batches';

/** Right-pads teacher/student-aligned sequences to the longest one: row-major ids, attention mask and real-token count. */
export function padAlignedBatch(params: { lang: Language; sequences: readonly AlignedTokens[]; padIds: { teacher: number; student: number } }): TokenBatch {
  const { sequences, padIds } = params;
  const batchSize = sequences.length;
  const seqLength = Math.max(...sequences.map((s) => s.teacherIds.length));
  const teacherIds = new Int32Array(batchSize * seqLength).fill(padIds.teacher);
  const studentIds = new Int32Array(batchSize * seqLength).fill(padIds.student);
  const attentionMask = new Int32Array(batchSize * seqLength);
  let tokens = 0;
  sequences.forEach((sequence, row) => {
    teacherIds.set(sequence.teacherIds, row * seqLength);
    studentIds.set(sequence.studentIds, row * seqLength);
    attentionMask.fill(1, row * seqLength, row * seqLength + sequence.teacherIds.length);
    tokens += sequence.teacherIds.length;
  });
  return { lang: params.lang, batchSize, seqLength, teacherIds, studentIds, attentionMask, tokens };
}
