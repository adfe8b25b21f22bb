import { KoenbertError, SeededRng, type HubOptions } from '@koenbert/tensor-utils';
import { listCorpusFiles, type CorpusFile } from './corpus-files';
import { detectLanguage, type Language } from './detect-language';
import { DEFAULT_MAX_LINE_BYTES, readPositionedRecords, type CorpusRecord } from './read-corpus-records';

/** A corpus source and, for a mixed-language source, the language this stream keeps from it. */
export interface CorpusSourceSpec {
  source: string;
  keepLanguage?: Language;
}

/** Where a line is: the file (index into the stream's files) and its record position there (byte offset or parquet row). */
export type LinePosition = [file: number, at: number];

/**
 * Where a stream is, exactly: the pass over the data (`epoch`), the file in that pass's order, the position
 * of the next record in that file (a byte offset, or a parquet row), the shuffle buffer as the positions of
 * its lines (never their text, so a checkpoint stays small whatever the line lengths) and the shuffle
 * generator. JSON-serialisable.
 */
export interface CorpusStreamState {
  epoch: number;
  fileIndex: number;
  offset: number;
  buffer: LinePosition[];
  rng: number[];
}

/** Lines the stream read that were over the line limit: split into pieces (.txt) or skipped (JSONL, TSV, parquet). */
export interface OverlongCounts {
  split: number;
  skipped: number;
}

/** Characters the shuffle buffer may hold (about 64 MB of JS strings) whatever its line count. */
export const DEFAULT_BUFFER_CHARS = 2 ** 25;

interface BufferedLine {
  text: string;
  position: LinePosition;
}

/**
 * An endless, shuffled stream of text lines from a list of corpus sources. Files are read record by record
 * (memory does not grow with the corpus) and visited in a seeded order that changes each epoch; lines pass
 * through a seeded shuffle buffer of `bufferSize` lines (fewer when they are long: the buffer also stops filling at
 * `bufferChars` characters, so a corpus of 1 MB lines does not hold 10 GB). `getState()` after any `next()` captures everything
 * needed to continue identically with `CorpusStream.open({ ..., state })`.
 */
export class CorpusStream {
  private readonly files: CorpusFile[];
  private readonly keep: Array<Language | undefined>;
  private readonly seed: number;
  private readonly label: string;
  private readonly bufferSize: number;
  private readonly bufferChars: number;
  private charsInBuffer: number;
  private readonly hub?: HubOptions;
  private readonly maxLineBytes: number;
  private epoch: number;
  private fileIndex: number;
  private offset: number;
  private buffer: BufferedLine[];
  private rng: SeededRng;
  private order: number[];
  private reader: AsyncGenerator<CorpusRecord> | undefined;
  /** Overlong lines met by this process (not saved: a count for logs). */
  readonly overlong: OverlongCounts = { split: 0, skipped: 0 };
  private linesThisEpoch = 0;
  /** Whether this process read the current epoch from its first record (only then can it be called empty). */
  private fullPass: boolean;

  private constructor(params: {
    files: CorpusFile[];
    keep: Array<Language | undefined>;
    seed: number;
    label: string;
    bufferSize: number;
    bufferChars: number;
    hub?: HubOptions;
    maxLineBytes: number;
    state: CorpusStreamState;
    buffer: BufferedLine[];
  }) {
    this.files = params.files;
    this.keep = params.keep;
    this.seed = params.seed;
    this.label = params.label;
    this.bufferSize = params.bufferSize;
    this.bufferChars = params.bufferChars;
    this.hub = params.hub;
    this.maxLineBytes = params.maxLineBytes;
    this.epoch = params.state.epoch;
    this.fileIndex = params.state.fileIndex;
    this.offset = params.state.offset;
    this.buffer = params.buffer;
    this.charsInBuffer = params.buffer.reduce((sum, line) => sum + line.text.length, 0);
    this.rng = SeededRng.fromState(params.state.rng);
    this.order = this.fileOrder(this.epoch);
    this.fullPass = this.fileIndex === 0 && this.offset === 0;
  }

  static async open(params: {
    sources: CorpusSourceSpec[];
    seed: number;
    /** Names this stream's random draws, so streams with the same seed (e.g. per language) differ. Default ''. */
    label?: string;
    bufferSize: number;
    /** The buffer also stops filling once its lines hold this many characters (always at least one line). Default 2^25. */
    bufferChars?: number;
    hub?: HubOptions;
    /** Longest record in UTF-8 bytes; longer .txt lines are split, longer JSONL/TSV/parquet records skipped. Default 1 MiB. */
    maxLineBytes?: number;
    state?: CorpusStreamState;
  }): Promise<CorpusStream> {
    if (params.sources.length === 0) throw new KoenbertError({ code: 'CORPUS_EMPTY', message: 'no corpus sources given' });
    if (!Number.isInteger(params.bufferSize) || params.bufferSize < 1) {
      throw new KoenbertError({ code: 'CORPUS_BUFFER', message: `shuffle buffer must be an integer ≥ 1, got ${params.bufferSize}` });
    }
    const files: CorpusFile[] = [];
    const keep: Array<Language | undefined> = [];
    for (const spec of params.sources) {
      for (const file of await listCorpusFiles({ source: spec.source, hub: params.hub })) {
        files.push(file);
        keep.push(spec.keepLanguage);
      }
    }
    const label = params.label ?? '';
    const maxLineBytes = params.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const state = params.state ?? { epoch: 0, fileIndex: 0, offset: 0, buffer: [], rng: new SeededRng(params.seed).fork(`shuffle/${label}`).getState() };
    checkState(state, files.length);
    const buffer = await readBufferedLines({ files, positions: state.buffer, hub: params.hub, maxLineBytes });
    const bufferChars = params.bufferChars ?? DEFAULT_BUFFER_CHARS;
    return new CorpusStream({ files, keep, seed: params.seed, label, bufferSize: params.bufferSize, bufferChars, hub: params.hub, maxLineBytes, state, buffer });
  }

  /** Number of files over all sources. */
  get fileCount(): number {
    return this.files.length;
  }

  /** The next line (never empty). */
  async next(): Promise<string> {
    return (await this.nextLine()).text;
  }

  /** The next line with its position (what a checkpoint stores instead of the text). */
  async nextLine(): Promise<BufferedLine> {
    while (this.buffer.length < this.bufferSize && (this.buffer.length === 0 || this.charsInBuffer < this.bufferChars)) {
      const line = await this.pull();
      this.buffer.push(line);
      this.charsInBuffer += line.text.length;
    }
    const index = this.rng.int(this.buffer.length);
    const line = this.buffer[index];
    this.buffer[index] = this.buffer[this.buffer.length - 1];
    this.buffer.pop();
    this.charsInBuffer -= line.text.length;
    return line;
  }

  /** The text of the line at a position this stream gave earlier (to restore a packer's leftover document). */
  async readLine(position: LinePosition): Promise<string> {
    checkState({ epoch: 0, fileIndex: 0, offset: 0, buffer: [position], rng: [] }, this.files.length);
    const [line] = await readBufferedLines({ files: this.files, positions: [position], hub: this.hub, maxLineBytes: this.maxLineBytes });
    return line.text;
  }

  getState(): CorpusStreamState {
    return {
      epoch: this.epoch,
      fileIndex: this.fileIndex,
      offset: this.offset,
      buffer: this.buffer.map((line) => [line.position[0], line.position[1]]),
      rng: this.rng.getState(),
    };
  }

  async close(): Promise<void> {
    await this.reader?.return(undefined);
    this.reader = undefined;
  }

  /** Files in a seeded order per epoch (stateless: a function of seed and epoch). */
  private fileOrder(epoch: number): number[] {
    const order = this.files.map((_, i) => i);
    return new SeededRng(this.seed).fork(`files/${this.label}/${epoch}`).shuffleInPlace(order);
  }

  /** The next kept line in file order, moving to the next file / epoch at the end of one. */
  private async pull(): Promise<BufferedLine> {
    for (;;) {
      if (this.fileIndex >= this.files.length) {
        if (this.linesThisEpoch === 0 && this.fullPass) {
          throw new KoenbertError({ code: 'CORPUS_EMPTY', message: `the corpus (${this.files[0].source}, …) has no usable lines` });
        }
        this.epoch += 1;
        this.fileIndex = 0;
        this.offset = 0;
        this.linesThisEpoch = 0;
        this.fullPass = true;
        this.order = this.fileOrder(this.epoch);
      }
      const fileNumber = this.order[this.fileIndex];
      this.reader ??= readPositionedRecords({ file: this.files[fileNumber], from: this.offset, hub: this.hub, maxLineBytes: this.maxLineBytes });
      const next = await this.reader.next();
      if (next.done) {
        this.reader = undefined;
        this.fileIndex += 1;
        this.offset = 0;
        continue;
      }
      const record = next.value;
      this.offset = record.next;
      if (record.overlong) this.overlong[record.overlong] += 1;
      if (record.text.length === 0) continue;
      const keep = this.keep[fileNumber];
      if (keep !== undefined && detectLanguage(record.text) !== keep) continue;
      this.linesThisEpoch += 1;
      return { text: record.text, position: [fileNumber, record.at] };
    }
  }
}

function checkState(state: CorpusStreamState, fileCount: number): void {
  const legacy = (state as unknown as { record?: unknown }).record !== undefined || state.buffer.some((entry) => !Array.isArray(entry));
  if (legacy) {
    throw new KoenbertError({
      code: 'CORPUS_STATE',
      message: 'the checkpoint stores the data position in an older format (lines as text); resume it with the koenbert version that wrote it, or start the run again',
    });
  }
  if (state.fileIndex > fileCount) {
    throw new KoenbertError({ code: 'CORPUS_STATE', message: `saved position is at file ${state.fileIndex} but the sources have ${fileCount} files` });
  }
  for (const [file, at] of state.buffer) {
    if (!Number.isInteger(file) || file < 0 || file >= fileCount || !Number.isSafeInteger(at) || at < 0) {
      throw new KoenbertError({ code: 'CORPUS_STATE', message: `saved shuffle buffer names line [${file}, ${at}], outside the ${fileCount} corpus files` });
    }
  }
}

/**
 * The text of the buffered lines a checkpoint names by position: each file is read once, from its
 * first named position to its last.
 */
async function readBufferedLines(params: { files: CorpusFile[]; positions: LinePosition[]; hub?: HubOptions; maxLineBytes: number }): Promise<BufferedLine[]> {
  const { files, positions } = params;
  const wanted = new Map<number, Set<number>>();
  for (const [file, at] of positions) {
    const set = wanted.get(file) ?? new Set<number>();
    set.add(at);
    wanted.set(file, set);
  }
  const texts = new Map<string, string>();
  for (const [file, ats] of wanted) {
    const from = Math.min(...ats);
    const last = Math.max(...ats);
    let found = 0;
    const records = readPositionedRecords({ file: files[file], from, hub: params.hub, maxLineBytes: params.maxLineBytes });
    for await (const record of records) {
      if (ats.has(record.at)) {
        texts.set(`${file}:${record.at}`, record.text);
        found++;
      }
      if (record.at >= last || found === ats.size) break;
    }
    await records.return(undefined);
  }
  return positions.map(([file, at]) => {
    const text = texts.get(`${file}:${at}`);
    if (!text) {
      throw new KoenbertError({
        code: 'CORPUS_STATE',
        file: files[file].path,
        message: `the checkpoint's shuffle buffer names a line at ${at} that is not there any more: the corpus changed since the checkpoint`,
      });
    }
    return { text, position: [file, at] as LinePosition };
  });
}
