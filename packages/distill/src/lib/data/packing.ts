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

/** A document the stream gave, and where its line is (to save a packer state without its tokens). */
export interface PositionedLine {
  text: string;
  position: [file: number, at: number];
}

/**
 * The packer's state as a checkpoint stores it: not the leftover tokens but the line they came from and how
 * many of its tokens were used already (tokenization is deterministic, so they are recomputed on resume).
 */
export interface SavedPackerState {
  pendingFrom: { line: [file: number, at: number]; skip: number } | null;
}

/**
 * packSequence over a stream of positioned lines that can save and restore its leftover document by
 * position: `encode` turns a line into aligned ids (without [CLS]/[SEP]), `nextLine` gives the next line.
 */
export class PositionedPacker {
  private state: PackerState = { pending: null };
  private pendingFrom: SavedPackerState['pendingFrom'] = null;

  constructor(
    private readonly encode: (text: string) => AlignedTokens,
    private readonly nextLine: () => Promise<PositionedLine>,
  ) {}

  /** Restores a saved state: the leftover line is read again (`readLine`) and re-tokenized. */
  async restore(saved: SavedPackerState | undefined, readLine: (position: [number, number]) => Promise<string>): Promise<void> {
    const from = saved?.pendingFrom ?? null;
    if ((saved as { pending?: unknown } | undefined)?.pending !== undefined) {
      throw new KoenbertError({
        code: 'CORPUS_STATE',
        message: 'the checkpoint stores the packer in an older format (token ids); resume it with the koenbert version that wrote it, or start the run again',
      });
    }
    if (!from) return;
    const doc = this.encode(await readLine(from.line));
    if (!Number.isInteger(from.skip) || from.skip < 1 || from.skip >= doc.teacherIds.length) {
      throw new KoenbertError({ code: 'CORPUS_STATE', message: `saved packer position (${from.skip} tokens into line [${from.line.join(', ')}]) does not fit that line: the corpus or tokenizer changed` });
    }
    this.state = { pending: { teacherIds: doc.teacherIds.slice(from.skip), studentIds: doc.studentIds.slice(from.skip) } };
    this.pendingFrom = { line: [from.line[0], from.line[1]], skip: from.skip };
  }

  async nextSequence(params: { maxLength: number; packing: boolean; specials: SpecialIds }): Promise<AlignedTokens> {
    let last: { line: [number, number]; length: number } | undefined;
    const pull = async (): Promise<AlignedTokens> => {
      const line = await this.nextLine();
      const doc = this.encode(line.text);
      last = { line: line.position, length: doc.teacherIds.length };
      return doc;
    };
    const before = this.state.pending;
    const { sequence, state } = await packSequence({ pull, state: this.state, ...params });
    if (state.pending === null) this.pendingFrom = null;
    else if (last) this.pendingFrom = { line: last.line, skip: last.length - state.pending.teacherIds.length };
    else this.pendingFrom = { line: this.pendingFrom!.line, skip: this.pendingFrom!.skip + (before!.teacherIds.length - state.pending.teacherIds.length) };
    this.state = state;
    return sequence;
  }

  getState(): SavedPackerState {
    return { pendingFrom: this.pendingFrom ? { line: [this.pendingFrom.line[0], this.pendingFrom.line[1]], skip: this.pendingFrom.skip } : null };
  }
}
