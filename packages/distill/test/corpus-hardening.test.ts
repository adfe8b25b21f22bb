import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { KoenbertError, SeededRng } from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer, buildMergeMap, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { listCorpusFiles } from '../src/lib/data/corpus-files';
import { CorpusStream } from '../src/lib/data/corpus-stream';
import { LanguageBatches } from '../src/lib/data/language-batches';
import { readPositionedRecords } from '../src/lib/data/read-corpus-records';
import { MlmBatches } from '../src/lib/pretrain/mlm-batches';

/** Hostile corpora: a 20 MB line, overlong JSONL/TSV records, invalid UTF-8, 25 KB lines in checkpoints. */
let dir: string;
let tokenizer: WordPieceTokenizer;
const WORDS = 'the a of and to in is was city river school people music water garden winter summer morning light house road story'.split(' ');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-corpus-hard-'));
  const tokDir = path.join(dir, 'tok');
  await fs.mkdir(tokDir);
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', ...letters, ...letters.map((l) => `##${l}`), ...WORDS];
  await fs.writeFile(path.join(tokDir, 'vocab.txt'), `${[...new Set(vocab)].join('\n')}\n`);
  await fs.writeFile(path.join(tokDir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true }));
  tokenizer = await loadWordPieceTokenizer(tokDir);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function take(stream: { next(): Promise<string> }, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await stream.next());
  return out;
}

async function failure(run: () => Promise<unknown>): Promise<KoenbertError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KoenbertError);
  expect((error as Error).message).not.toContain('\n');
  return error as KoenbertError;
}

function sentence(rng: SeededRng, words: number): string {
  return Array.from({ length: words }, () => WORDS[rng.int(WORDS.length)]).join(' ');
}

describe('overlong lines', () => {
  it('splits a 20 MB line into pieces of at most maxLineBytes, quickly and in bounded memory, and counts them', async () => {
    const file = path.join(dir, 'huge-line.txt');
    const huge = 'music 음악 '.repeat(20 * 1024 * 1024 / 13); // ~20 MB, multi-byte characters at every piece edge
    await fs.writeFile(file, `short one\n${huge}\nshort two\n`);
    const started = Date.now();
    const [corpus] = await listCorpusFiles({ source: file });
    const bytes = await fs.readFile(file);
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let split = 0;
    let expectedAt = 0;
    const texts: string[] = [];
    for await (const record of readPositionedRecords({ file: corpus })) {
      // records tile the file: each starts where the last ended, and is exactly its bytes
      expect(record.at).toBe(expectedAt);
      expectedAt = record.next;
      const raw = bytes.subarray(record.at, record.next).toString('utf8');
      expect(record.text).toBe(raw.trim());
      expect(Buffer.byteLength(record.text, 'utf8')).toBeLessThanOrEqual(1 << 20);
      if (record.overlong === 'split') split++;
      if (texts.length < 1 || record.text.startsWith('short')) texts.push(record.text);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    expect(expectedAt).toBe(bytes.length);
    expect(split).toBe(1); // one line was split
    expect(texts).toEqual(['short one', 'short two']);
    expect(Date.now() - started).toBeLessThan(20_000);
    // the reader itself holds about one piece; the test's own strings are what grows the heap
    expect(heapPeak - heapBefore).toBeLessThan(64 * 1024 * 1024);

    // the stream counts them, and the MLM batches tokenize them without hanging
    const stream = await CorpusStream.open({ sources: [{ source: file }], seed: 1, bufferSize: 4, maxLineBytes: 64 * 1024 });
    await take(stream, 10);
    expect(stream.overlong.split).toBeGreaterThan(0);
    await stream.close();
    const mlm = await MlmBatches.open({ sources: [file], tokenizer, seed: 1, bufferSize: 4, maxLength: 32, heldOutFraction: 0, maxLineBytes: 64 * 1024 });
    const batch = await mlm.nextBatch(4);
    expect(batch.tokens).toBeGreaterThan(4 * 20);
    expect(mlm.overlong.split).toBeGreaterThan(0);
    await mlm.close();
  }, 60_000);

  it('skips overlong JSONL and TSV records (they cannot be cut) and counts them', async () => {
    const long = 'x'.repeat(5000);
    const jsonl = path.join(dir, 'long.jsonl');
    await fs.writeFile(jsonl, `{"text":"one"}\n{"text":"${long}"}\n{"text":"two"}\n`);
    const tsv = path.join(dir, 'long.tsv');
    await fs.writeFile(tsv, `id\ttext\n1\tthree\n2\t${long}\n3\tfour`);
    for (const [source, expected] of [
      [jsonl, ['one', 'two']],
      [`${tsv}#text`, ['three', 'four']],
    ] as const) {
      const stream = await CorpusStream.open({ sources: [{ source }], seed: 1, bufferSize: 1, maxLineBytes: 1000 });
      expect(new Set(await take(stream, 4))).toEqual(new Set(expected));
      expect(stream.overlong).toEqual({ split: 0, skipped: 2 }); // once per epoch, two epochs read
      await stream.close();
    }
  });

  it('refuses a nonsensical line limit', async () => {
    const [file] = await listCorpusFiles({ source: path.join(dir, 'long.jsonl') });
    expect(() => readPositionedRecords({ file, maxLineBytes: 0 })).toThrow('the line limit must be an integer ≥ 16 bytes, got 0');
  });
});

describe('shuffle buffer memory', () => {
  it('stops filling at bufferChars, so long lines cannot make it hold gigabytes, and resumes identically', async () => {
    const file = path.join(dir, 'long-buffer.txt');
    const rng = new SeededRng(3);
    await fs.writeFile(file, Array.from({ length: 200 }, (_, i) => `${i} ${sentence(rng, 2000)}`).join('\n'));
    const open = (state?: ReturnType<CorpusStream['getState']>) =>
      CorpusStream.open({ sources: [{ source: file }], seed: 2, bufferSize: 10_000, bufferChars: 50_000, state });
    const stream = await open();
    const head = await take(stream, 30);
    // ~12 KB lines: at most 5 of them fit under 50,000 characters (the last one pushed may cross the bound)
    expect(stream.getState().buffer.length).toBeLessThanOrEqual(5);
    const state = JSON.parse(JSON.stringify(stream.getState()));
    const rest = await take(stream, 30);
    await stream.close();
    const resumed = await open(state);
    expect(await take(resumed, 30)).toEqual(rest);
    expect(new Set([...head, ...rest]).size).toBe(60);
    await resumed.close();
  });
});

describe('invalid UTF-8 is an error naming the file and the byte offset, in distill and pretrain-mlm alike', () => {
  const bad = Buffer.concat([Buffer.from('good line\n좋은 줄\nbad ', 'utf8'), Buffer.from([0xc3, 0x28]), Buffer.from(' line\n')]);
  const offset = Buffer.from('good line\n좋은 줄\nbad ', 'utf8').length;

  it.each([
    ['bad.txt', bad, ''],
    ['bad.txt.gz', gzipSync(bad), ' of the decompressed text'],
    ['bad.jsonl', Buffer.concat([Buffer.from('{"text":"ok"}\n{"text":"'), Buffer.from([0xff]), Buffer.from('"}\n')]), ''],
  ])('%s', async (name, bytes, what) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, bytes);
    const at = name === 'bad.jsonl' ? '{"text":"ok"}\n{"text":"'.length : offset;
    const expected = `${file}: invalid UTF-8 at byte ${at}${what} (the file must be UTF-8 text)`;
    const stream = await CorpusStream.open({ sources: [{ source: file }], seed: 1, bufferSize: 8 });
    const error = await failure(() => stream.next());
    expect(error.code).toBe('INVALID_UTF8');
    expect(error.message).toBe(expected);
    await stream.close();
    // pretrain-mlm's batches read through the same stream and rule
    const mlm = await MlmBatches.open({ sources: [file], tokenizer, seed: 1, bufferSize: 8, maxLength: 16, heldOutFraction: 0 });
    expect((await failure(() => mlm.nextBatch(2))).message).toBe(expected);
    await mlm.close();
  });
});

describe('invalid UTF-8 in a parquet corpus', () => {
  it('is an error naming the file, the column and the rows (not U+FFFD in the text)', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const texts = ['good row', 'MARKERXX here', 'another row'];
    const bytes = Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'text', data: texts, type: 'STRING' }], codec: 'UNCOMPRESSED' } as never));
    const at = bytes.indexOf('MARKERXX');
    expect(at).toBeGreaterThan(0);
    bytes[at] = 0xff; // no longer UTF-8
    const file = path.join(dir, 'bad.parquet');
    await fs.writeFile(file, bytes);
    const stream = await CorpusStream.open({ sources: [{ source: file }], seed: 1, bufferSize: 4 });
    const error = await failure(() => stream.next());
    expect(error.code).toBe('INVALID_UTF8');
    expect(error.message).toBe(`${file}: invalid UTF-8 in column "text" among rows 0..2 (the text must be UTF-8)`);
    await stream.close();
  });
});

describe('checkpointed data positions', () => {
  let corpus: string;
  beforeAll(async () => {
    const rng = new SeededRng(7);
    // 60 lines of ~25 KB (about 4,000 words each) in two files, one gzipped
    const lines = Array.from({ length: 60 }, () => sentence(rng, 4000));
    corpus = path.join(dir, 'long-lines');
    await fs.mkdir(corpus);
    await fs.writeFile(path.join(corpus, 'a.txt'), `${lines.slice(0, 30).join('\n')}\n`);
    await fs.writeFile(path.join(corpus, 'b.txt.gz'), gzipSync(`${lines.slice(30).join('\r\n')}`));
    expect(Buffer.byteLength(lines[0])).toBeGreaterThan(20_000);
  });

  it('keeps a state with 25 KB lines under 2 KB and resumes to identical batches (MLM)', async () => {
    const open = (state?: ReturnType<MlmBatches['getState']>) =>
      MlmBatches.open({ sources: [corpus], tokenizer, seed: 3, bufferSize: 16, maxLength: 64, heldOutFraction: 0.1, state });
    const straight = await open();
    const expected: Int32Array[] = [];
    for (let i = 0; i < 12; i++) expected.push((await straight.nextBatch(4)).ids);
    await straight.close();
    for (const cut of [1, 5, 11]) {
      const first = await open();
      for (let i = 0; i < cut; i++) await first.nextBatch(4);
      const json = JSON.stringify(first.getState());
      expect(json.length).toBeLessThan(2048);
      expect(first.getState().packer.pendingFrom).not.toBeNull(); // a 4,000-token line is always left over
      await first.close();
      const resumed = await open(JSON.parse(json));
      for (let i = cut; i < 12; i++) expect(Array.from((await resumed.nextBatch(4)).ids)).toEqual(Array.from(expected[i]));
      await resumed.close();
    }
  }, 60_000);

  it('resumes distill language batches identically with split pieces in the shuffle buffer', async () => {
    const merged = buildMergeMap({ korean: tokenizer.spec, english: tokenizer.spec });
    const open = (state?: ReturnType<LanguageBatches['getState']>) =>
      LanguageBatches.open({
        lang: 'en',
        sources: [{ source: corpus }],
        seed: 5,
        bufferSize: 32,
        merged: merged.map,
        teacher: tokenizer,
        maxLength: 48,
        packing: true,
        studentPadId: 0,
        maxLineBytes: 3000, // every line comes in ~9 pieces
        state,
      });
    const straight = await open();
    const expected: Int32Array[] = [];
    for (let i = 0; i < 10; i++) expected.push((await straight.nextBatch(3)).studentIds);
    expect(straight.overlong.split).toBeGreaterThanOrEqual(3);
    await straight.close();
    for (const cut of [2, 7]) {
      const first = await open();
      for (let i = 0; i < cut; i++) await first.nextBatch(3);
      const state = JSON.parse(JSON.stringify(first.getState()));
      expect(JSON.stringify(state).length).toBeLessThan(2048);
      await first.close();
      const resumed = await open(state);
      for (let i = cut; i < 10; i++) expect(Array.from((await resumed.nextBatch(3)).studentIds)).toEqual(Array.from(expected[i]));
      await resumed.close();
    }
  }, 60_000);

  it('refuses, in one line, an older state holding text and a state the corpus no longer matches', async () => {
    const sources = [{ source: corpus }];
    const legacy = { epoch: 0, fileIndex: 0, record: 3, buffer: ['a line'], rng: new SeededRng(1).getState() };
    const old = await failure(() => CorpusStream.open({ sources, seed: 1, bufferSize: 4, state: legacy as never }));
    expect(old.message).toContain('older format (lines as text)');
    const outside = await failure(() => CorpusStream.open({ sources, seed: 1, bufferSize: 4, state: { epoch: 0, fileIndex: 0, offset: 0, buffer: [[9, 0]], rng: [] } }));
    expect(outside.message).toBe('saved shuffle buffer names line [9, 0], outside the 2 corpus files');
    const moved = await failure(() => CorpusStream.open({ sources, seed: 1, bufferSize: 4, state: { epoch: 0, fileIndex: 0, offset: 0, buffer: [[0, 10_000_000]], rng: new SeededRng(1).getState() } }));
    expect(moved.message).toContain("a.txt: the checkpoint's shuffle buffer names a line at 10000000 that is not there any more");
  });
});
