import { KoenbertError, SeededRng, type HubOptions } from '@koenbert/tensor-utils';
import { listCorpusFiles, type CorpusFile } from './corpus-files';
import { detectLanguage, type Language } from './detect-language';
import { readCorpusRecords } from './read-corpus-records';

/** A corpus source and, for a mixed-language source, the language this stream keeps from it. */
export interface CorpusSourceSpec {
  source: string;
  keepLanguage?: Language;
}

/**
 * Where a stream is, exactly: the pass over the data (`epoch`), the file in that pass's order, the next
 * record of that file, the shuffle buffer and the shuffle generator. JSON-serialisable.
 */
export interface CorpusStreamState {
  epoch: number;
  fileIndex: number;
  record: number;
  buffer: string[];
  rng: number[];
}

/**
 * An endless, shuffled stream of text lines from a list of corpus sources. Files are read record by record
 * (memory does not grow with the corpus) and visited in a seeded order that changes each epoch; lines pass
 * through a seeded shuffle buffer of `bufferSize` lines. `getState()` after any `next()` captures everything
 * needed to continue identically with `CorpusStream.open({ ..., state })`.
 */
export class CorpusStream {
  private readonly files: CorpusFile[];
  private readonly keep: Array<Language | undefined>;
  private readonly seed: number;
  private readonly label: string;
  private readonly bufferSize: number;
  private readonly hub?: HubOptions;
  private epoch: number;
  private fileIndex: number;
  private record: number;
  private buffer: string[];
  private rng: SeededRng;
  private order: number[];
  private reader: AsyncGenerator<string> | undefined;
  private linesThisEpoch = 0;
  /** Whether this process read the current epoch from its first record (only then can it be called empty). */
  private fullPass: boolean;

  private constructor(params: {
    files: CorpusFile[];
    keep: Array<Language | undefined>;
    seed: number;
    label: string;
    bufferSize: number;
    hub?: HubOptions;
    state: CorpusStreamState;
  }) {
    this.files = params.files;
    this.keep = params.keep;
    this.seed = params.seed;
    this.label = params.label;
    this.bufferSize = params.bufferSize;
    this.hub = params.hub;
    this.epoch = params.state.epoch;
    this.fileIndex = params.state.fileIndex;
    this.record = params.state.record;
    this.buffer = [...params.state.buffer];
    this.rng = SeededRng.fromState(params.state.rng);
    this.order = this.fileOrder(this.epoch);
    this.fullPass = this.fileIndex === 0 && this.record === 0;
  }

  static async open(params: {
    sources: CorpusSourceSpec[];
    seed: number;
    /** Names this stream's random draws, so streams with the same seed (e.g. per language) differ. Default ''. */
    label?: string;
    bufferSize: number;
    hub?: HubOptions;
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
    const state = params.state ?? { epoch: 0, fileIndex: 0, record: 0, buffer: [], rng: new SeededRng(params.seed).fork(`shuffle/${label}`).getState() };
    if (state.fileIndex > files.length) {
      throw new KoenbertError({ code: 'CORPUS_STATE', message: `saved position is at file ${state.fileIndex} but the sources have ${files.length} files` });
    }
    return new CorpusStream({ files, keep, seed: params.seed, label, bufferSize: params.bufferSize, hub: params.hub, state });
  }

  /** Number of files over all sources. */
  get fileCount(): number {
    return this.files.length;
  }

  /** The next line (never empty). */
  async next(): Promise<string> {
    while (this.buffer.length < this.bufferSize) this.buffer.push(await this.pull());
    const index = this.rng.int(this.buffer.length);
    const line = this.buffer[index];
    this.buffer[index] = this.buffer[this.buffer.length - 1];
    this.buffer.pop();
    return line;
  }

  getState(): CorpusStreamState {
    return { epoch: this.epoch, fileIndex: this.fileIndex, record: this.record, buffer: [...this.buffer], rng: this.rng.getState() };
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
  private async pull(): Promise<string> {
    for (;;) {
      if (this.fileIndex >= this.files.length) {
        if (this.linesThisEpoch === 0 && this.fullPass) {
          throw new KoenbertError({ code: 'CORPUS_EMPTY', message: `the corpus (${this.files[0].source}, …) has no usable lines` });
        }
        this.epoch += 1;
        this.fileIndex = 0;
        this.record = 0;
        this.linesThisEpoch = 0;
        this.fullPass = true;
        this.order = this.fileOrder(this.epoch);
      }
      const fileNumber = this.order[this.fileIndex];
      this.reader ??= readCorpusRecords({ file: this.files[fileNumber], start: this.record, hub: this.hub });
      const next = await this.reader.next();
      if (next.done) {
        this.reader = undefined;
        this.fileIndex += 1;
        this.record = 0;
        continue;
      }
      this.record += 1;
      const text = next.value;
      if (text.length === 0) continue;
      const keep = this.keep[fileNumber];
      if (keep !== undefined && detectLanguage(text) !== keep) continue;
      this.linesThisEpoch += 1;
      return text;
    }
  }
}
