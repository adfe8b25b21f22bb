import type { HubOptions } from '@koenbert/tensor-utils';
import type { WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { CorpusStream, type CorpusStreamState } from '../data/corpus-stream';
import { PositionedPacker, type AlignedTokens, type PositionedLine, type SavedPackerState, type SpecialIds } from '../data/packing';
import { isHeldOutLine } from './held-out-lines';

/** Token ids of one batch, padded to its longest sequence; row-major [batchSize, seqLength]. */
export interface IdBatch {
  batchSize: number;
  seqLength: number;
  ids: Int32Array;
  /** 1 for tokens, 0 for padding. */
  attentionMask: Int32Array;
  tokens: number;
}

/** Position in the data: the corpus stream and the packer. JSON-serialisable. */
export interface MlmDataState {
  stream: CorpusStreamState;
  packer: SavedPackerState;
}

/** Pads sequences of ids into one batch. */
export function padBatch(sequences: number[][], padId: number): IdBatch {
  const batchSize = sequences.length;
  const seqLength = Math.max(...sequences.map((s) => s.length));
  const ids = new Int32Array(batchSize * seqLength).fill(padId);
  const attentionMask = new Int32Array(batchSize * seqLength);
  let tokens = 0;
  sequences.forEach((sequence, row) => {
    ids.set(sequence, row * seqLength);
    attentionMask.fill(1, row * seqLength, row * seqLength + sequence.length);
    tokens += sequence.length;
  });
  return { batchSize, seqLength, ids, attentionMask, tokens };
}

/**
 * Training batches for MLM: lines from the shuffled corpus stream (held-out lines skipped), tokenized by one
 * WordPiece tokenizer, packed `[CLS] doc₁ [SEP] doc₂ [SEP] …` into sequences of up to `maxLength` (the distill
 * packer, with the same ids on both of its sides).
 */
export class MlmBatches {
  private readonly packer: PositionedPacker;

  private constructor(
    private readonly stream: CorpusStream,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly maxLength: number,
    private readonly heldOutFraction: number,
  ) {
    this.packer = new PositionedPacker((text) => this.encode(text), () => this.nextTrainingLine());
  }

  static async open(params: {
    sources: string[];
    tokenizer: WordPieceTokenizer;
    seed: number;
    bufferSize: number;
    maxLength: number;
    heldOutFraction: number;
    hub?: HubOptions;
    /** Longest corpus record in UTF-8 bytes (see CorpusStream). */
    maxLineBytes?: number;
    state?: MlmDataState;
  }): Promise<MlmBatches> {
    const stream = await CorpusStream.open({
      sources: params.sources.map((source) => ({ source })),
      seed: params.seed,
      label: 'mlm',
      bufferSize: params.bufferSize,
      hub: params.hub,
      maxLineBytes: params.maxLineBytes,
      state: params.state?.stream,
    });
    const batches = new MlmBatches(stream, params.tokenizer, params.maxLength, params.heldOutFraction);
    await batches.packer.restore(params.state?.packer, (position) => stream.readLine(position));
    return batches;
  }

  /** Overlong lines this process met (split or skipped), for logs. */
  get overlong(): { split: number; skipped: number } {
    return { ...this.stream.overlong };
  }

  private get specials(): SpecialIds {
    const { clsId, sepId } = this.tokenizer;
    return { cls: { teacher: clsId, student: clsId }, sep: { teacher: sepId, student: sepId } };
  }

  private async nextTrainingLine(): Promise<PositionedLine> {
    let line = await this.stream.nextLine();
    while (isHeldOutLine(line.text, this.heldOutFraction)) line = await this.stream.nextLine();
    return line;
  }

  private encode(text: string): AlignedTokens {
    const ids = this.tokenizer.encode(text).ids.slice(1, -1);
    return { teacherIds: ids, studentIds: ids };
  }

  async nextBatch(batchSize: number): Promise<IdBatch> {
    const sequences: number[][] = [];
    for (let i = 0; i < batchSize; i++) {
      sequences.push((await this.packer.nextSequence({ maxLength: this.maxLength, packing: true, specials: this.specials })).teacherIds);
    }
    return padBatch(sequences, this.tokenizer.padId ?? 0);
  }

  getState(): MlmDataState {
    return { stream: this.stream.getState(), packer: this.packer.getState() };
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}
