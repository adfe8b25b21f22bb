import type { HubOptions } from '@koenbert/tensor-utils';
import { encodeAligned, type MergeMap, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { CorpusStream, type CorpusSourceSpec, type CorpusStreamState } from './corpus-stream';
import type { Language } from './detect-language';
import { padAlignedBatch } from './pad-aligned-batch';
import { PositionedPacker, type AlignedTokens, type SavedPackerState, type SpecialIds } from './packing';

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
  packer: SavedPackerState;
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
  private readonly packer: PositionedPacker;

  private constructor(params: {
    lang: Language;
    stream: CorpusStream;
    merged: MergeMap;
    teacher: WordPieceTokenizer;
    maxLength: number;
    packing: boolean;
    studentPadId: number;
  }) {
    this.lang = params.lang;
    this.stream = params.stream;
    this.merged = params.merged;
    this.teacher = params.teacher;
    this.maxLength = params.maxLength;
    this.packing = params.packing;
    this.packer = new PositionedPacker((text) => this.encode(text), () => this.stream.nextLine());
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
    /** Longest corpus record in UTF-8 bytes (see CorpusStream). */
    maxLineBytes?: number;
    state?: LanguageDataState;
  }): Promise<LanguageBatches> {
    const stream = await CorpusStream.open({
      sources: params.sources,
      seed: params.seed,
      label: params.lang,
      bufferSize: params.bufferSize,
      hub: params.hub,
      maxLineBytes: params.maxLineBytes,
      state: params.state?.stream,
    });
    const batches = new LanguageBatches({ ...params, stream });
    await batches.packer.restore(params.state?.packer, (position) => stream.readLine(position));
    return batches;
  }

  /** Overlong lines this process met (split or skipped), for logs. */
  get overlong(): { split: number; skipped: number } {
    return { ...this.stream.overlong };
  }

  /** Teacher and student ids of one line, without [CLS]/[SEP]. */
  private encode(text: string): AlignedTokens {
    const aligned = encodeAligned({ text, lang: this.lang, merged: this.merged, teacher: this.teacher });
    return { teacherIds: aligned.teacherIds.slice(1, -1), studentIds: aligned.studentIds.slice(1, -1) };
  }

  async nextBatch(batchSize: number): Promise<TokenBatch> {
    const sequences: AlignedTokens[] = [];
    for (let i = 0; i < batchSize; i++) {
      sequences.push(await this.packer.nextSequence({ maxLength: this.maxLength, packing: this.packing, specials: this.specials }));
    }
    return padAlignedBatch({ lang: this.lang, sequences, padIds: this.padIds });
  }

  getState(): LanguageDataState {
    return { stream: this.stream.getState(), packer: this.packer.getState() };
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}
