import { promises as fs } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { CorpusStream } from '../src/lib/data/corpus-stream';
import { detectLanguage } from '../src/lib/data/detect-language';
import { removeDir, tempDir } from './helpers/temp-dir';

async function take(stream: CorpusStream, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await stream.next());
  return out;
}

describe('CorpusStream', () => {
  let dir: string;
  const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
  beforeAll(async () => {
    dir = await tempDir();
    await fs.mkdir(path.join(dir, 'en'));
    await fs.writeFile(path.join(dir, 'en', 'a.txt'), `${lines('a', 30).join('\n')}\n\n`);
    await fs.writeFile(path.join(dir, 'en', 'b.txt.gz'), gzipSync(lines('b', 20).join('\n')));
    await fs.writeFile(path.join(dir, 'mixed.txt'), ['hello world', '안녕하세요 세계', '12345', 'Seoul 서울특별시', 'the quick fox'].join('\n'));
  });
  afterAll(() => removeDir(dir));

  it('gives every line once per epoch, shuffled, with a seed-determined order', async () => {
    const stream = await CorpusStream.open({ sources: [{ source: path.join(dir, 'en') }], seed: 1, bufferSize: 8 });
    const epoch = await take(stream, 50);
    // until the buffer reaches into the next epoch (draw 44 of 50 with 8 buffered lines) no line repeats
    expect(new Set(epoch.slice(0, 43)).size).toBe(43);
    expect(epoch.every((line) => /^[ab] \d+$/.test(line))).toBe(true);
    expect(epoch.slice(0, 30)).not.toEqual(lines('a', 30));
    const again = await CorpusStream.open({ sources: [{ source: path.join(dir, 'en') }], seed: 1, bufferSize: 8 });
    expect(await take(again, 50)).toEqual(epoch);
    const other = await CorpusStream.open({ sources: [{ source: path.join(dir, 'en') }], seed: 2, bufferSize: 8 });
    expect(await take(other, 50)).not.toEqual(epoch);
    // over ten epochs every line comes ten times, give or take the lines in the buffer
    const counts = new Map<string, number>();
    for (const line of [...epoch, ...(await take(stream, 450))]) counts.set(line, (counts.get(line) ?? 0) + 1);
    expect(counts.size).toBe(50);
    expect(Math.min(...counts.values())).toBeGreaterThanOrEqual(9);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(11);
    // between calls the buffer holds bufferSize − 1 lines
    expect(stream.getState().buffer.length).toBe(7);
    expect(stream.getState().epoch).toBe(10);
    await Promise.all([stream.close(), again.close(), other.close()]);
  });

  it('resumes from a saved state (mid-file, mid-epoch, JSON round trip) with exactly the same lines', async () => {
    const sources = [{ source: path.join(dir, 'en') }];
    const straight = await CorpusStream.open({ sources, seed: 5, bufferSize: 6 });
    const expected = await take(straight, 140);
    for (const cut of [1, 17, 44, 73]) {
      const first = await CorpusStream.open({ sources, seed: 5, bufferSize: 6 });
      const head = await take(first, cut);
      const state = JSON.parse(JSON.stringify(first.getState()));
      await first.close();
      const resumed = await CorpusStream.open({ sources, seed: 5, bufferSize: 6, state });
      expect([...head, ...(await take(resumed, 140 - cut))]).toEqual(expected);
      await resumed.close();
    }
    await straight.close();
  });

  it('splits a mixed source by language and fails clearly on a source without usable lines', async () => {
    expect(detectLanguage('Seoul 서울특별시')).toBe('ko');
    expect(detectLanguage('12345')).toBeUndefined();
    const ko = await CorpusStream.open({ sources: [{ source: path.join(dir, 'mixed.txt'), keepLanguage: 'ko' }], seed: 1, bufferSize: 1 });
    expect(new Set(await take(ko, 6))).toEqual(new Set(['안녕하세요 세계', 'Seoul 서울특별시']));
    const en = await CorpusStream.open({ sources: [{ source: path.join(dir, 'mixed.txt'), keepLanguage: 'en' }], seed: 1, bufferSize: 2 });
    expect(new Set(await take(en, 6))).toEqual(new Set(['hello world', 'the quick fox']));
    await fs.writeFile(path.join(dir, 'digits.txt'), '1\n2\n');
    const none = await CorpusStream.open({ sources: [{ source: path.join(dir, 'digits.txt'), keepLanguage: 'en' }], seed: 1, bufferSize: 2 });
    await expect(none.next()).rejects.toThrow(/has no usable lines/);
    await Promise.all([ko.close(), en.close(), none.close()]);
  });

  it('streams a 200 000-line gz corpus with bounded memory', async () => {
    const big = path.join(dir, 'big.txt.gz');
    const text = Array.from({ length: 200_000 }, (_, i) => `line number ${i} ${'x'.repeat(i % 50)}`).join('\n');
    await fs.writeFile(big, gzipSync(text));
    const stream = await CorpusStream.open({ sources: [{ source: big }], seed: 3, bufferSize: 100 });
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    for (let i = 0; i < 150_000; i++) if ((await stream.next()).startsWith('line number')) count++;
    const state = stream.getState();
    expect(count).toBe(150_000);
    expect(state.buffer.length).toBe(99);
    expect(state.offset).toBeGreaterThan(150_000 * 13);
    // the text is ~11 MB (~22 MB as JS strings); the stream keeps ~100 lines and one chunk of it
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 * 1024 * 1024);
    await stream.close();
  });
});
