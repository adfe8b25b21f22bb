import type { HubOptions } from '@koenbert/tensor-utils';
import { encodeAligned, type MergeMap, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { CorpusStream, type CorpusSourceSpec, type CorpusStreamState } from './corpus-stream';
import type { Language } from './detect-language';
import { packSequence, type AlignedTokens, type PackerState, type SpecialIds } from './packing';

/** One batch of one language, padded to its longest sequence; row-major [batchSize, seqLength]. */
export interface TokenBatch {
  lang: Language;
  batchSize: number;
  seqLength: number;
  teacherIds: Int32Array;
  studentIds: Int32Array;
  /** 1 for tokens, 0 for padding. */
  attentionMask: Int32Array;
  /** Number of real tokens (mask sum). */
  tokens: number;
}

/** Position of one language's data: the corpus stream and the packer. JSON-serialisable. */
export interface LanguageDataState {
  stream: CorpusStreamState;
  packer: PackerState;
}

/**
 * Batches of one language: lines from a shuffled corpus stream, tokenized by that language's teacher with
 * the aligned merged ids for the student (`encodeAligned`), packed into sequences of up to `maxLength`.
 */
export class LanguageBatches {
  readonly lang: Language;
  private readonly stream: CorpusStream;
  private readonly merged: MergeMap;
  private readonly teacher: WordPieceTokenizer;
  private readonly maxLength: number;
  private readonly packing: boolean;
  private readonly specials: SpecialIds;
  private readonly padIds: { teacher: number; student: number };
  private packer: PackerState;

  private constructor(params: {
    lang: Language;
    stream: CorpusStream;
    merged: MergeMap;
    teacher: WordPieceTokenizer;
    maxLength: number;
    packing: boolean;
    studentPadId: number;
    packer: PackerState;
  }) {
    this.lang = params.lang;
    this.stream = params.stream;
    this.merged = params.merged;
    this.teacher = params.teacher;
    this.maxLength = params.maxLength;
    this.packing = params.packing;
    this.packer = params.packer;
    const empty = encodeAligned({ text: '', lang: this.lang, merged: this.merged, teacher: this.teacher });
    this.specials = {
      cls: { teacher: empty.teacherIds[0], student: empty.studentIds[0] },
      sep: { teacher: empty.teacherIds[1], student: empty.studentIds[1] },
    };
    this.padIds = { teacher: this.teacher.padId ?? 0, student: params.studentPadId };
  }

  static async open(params: {
    lang: Language;
    sources: CorpusSourceSpec[];
    seed: number;
    bufferSize: number;
    merged: MergeMap;
    teacher: WordPieceTokenizer;
    maxLength: number;
    packing: boolean;
    studentPadId: number;
    hub?: HubOptions;
    state?: LanguageDataState;
  }): Promise<LanguageBatches> {
    const stream = await CorpusStream.open({
      sources: params.sources,
      seed: params.seed,
      label: params.lang,
      bufferSize: params.bufferSize,
      hub: params.hub,
      state: params.state?.stream,
    });
    return new LanguageBatches({ ...params, stream, packer: params.state?.packer ?? { pending: null } });
  }

  /** Teacher and student ids of one line, without [CLS]/[SEP]. */
  private async nextDocument(): Promise<AlignedTokens> {
    const text = await this.stream.next();
    const aligned = encodeAligned({ text, lang: this.lang, merged: this.merged, teacher: this.teacher });
    return { teacherIds: aligned.teacherIds.slice(1, -1), studentIds: aligned.studentIds.slice(1, -1) };
  }

  async nextBatch(batchSize: number): Promise<TokenBatch> {
    const sequences: AlignedTokens[] = [];
    for (let i = 0; i < batchSize; i++) {
      const { sequence, state } = await packSequence({
        pull: () => this.nextDocument(),
        state: this.packer,
        maxLength: this.maxLength,
        packing: this.packing,
        specials: this.specials,
      });
      this.packer = state;
      sequences.push(sequence);
    }
    const seqLength = Math.max(...sequences.map((s) => s.teacherIds.length));
    const teacherIds = new Int32Array(batchSize * seqLength).fill(this.padIds.teacher);
    const studentIds = new Int32Array(batchSize * seqLength).fill(this.padIds.student);
    const attentionMask = new Int32Array(batchSize * seqLength);
    let tokens = 0;
    sequences.forEach((sequence, row) => {
      teacherIds.set(sequence.teacherIds, row * seqLength);
      studentIds.set(sequence.studentIds, row * seqLength);
      attentionMask.fill(1, row * seqLength, row * seqLength + sequence.teacherIds.length);
      tokens += sequence.teacherIds.length;
    });
    return { lang: this.lang, batchSize, seqLength, teacherIds, studentIds, attentionMask, tokens };
  }

  getState(): LanguageDataState {
    return { stream: this.stream.getState(), packer: { pending: this.packer.pending } };
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}
