import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KoenbertError } from './errors';
import { JsonlLogger } from './jsonl-logger';
import { readJsonl } from './read-jsonl';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'jsonl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('JsonlLogger and readJsonl', () => {
  it('appends one line per record with an ISO time first, visible on disk before close', async () => {
    const file = path.join(dir, 'logs', 'train.jsonl');
    let tick = 0;
    const logger = new JsonlLogger(file, { now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, tick++)) });
    logger.log({ type: 'step', step: 1, loss: 2.5 });
    expect(readFileSync(file, 'utf8')).toBe('{"time":"2026-01-02T03:04:05.000Z","type":"step","step":1,"loss":2.5}\n');
    logger.log({ type: 'step', step: 2, loss: NaN, grad: Infinity, note: '한국어 "quoted"\nnewline' });
    logger.log({ type: 'eval', time: 'kept', tokens: 12n });
    await logger.close();
    await logger.close();
    expect(await readJsonl(file)).toEqual([
      { time: '2026-01-02T03:04:05.000Z', type: 'step', step: 1, loss: 2.5 },
      { time: '2026-01-02T03:04:05.001Z', type: 'step', step: 2, loss: 'NaN', grad: 'Infinity', note: '한국어 "quoted"\nnewline' },
      { time: 'kept', type: 'eval', tokens: '12' },
    ]);
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(4);
    expect(() => logger.log({ late: true })).toThrow(/log\(\) after close\(\)/);
  });

  it('appends to an existing log instead of truncating it', async () => {
    const file = path.join(dir, 'run.jsonl');
    for (const step of [1, 2]) {
      const logger = new JsonlLogger(file);
      logger.log({ step });
      await logger.close();
    }
    const records = await readJsonl<{ step: number; time: string }>(file);
    expect(records.map((r) => r.step)).toEqual([1, 2]);
    expect(Number.isNaN(Date.parse(records[0].time))).toBe(false);
  });

  it('rejects records that are not plain objects or not serialisable', async () => {
    const logger = new JsonlLogger(path.join(dir, 'x.jsonl'));
    expect(() => logger.log([1, 2] as unknown as object)).toThrow(/plain object, got an array/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => logger.log(cyclic)).toThrow(KoenbertError);
    await logger.close();
    expect(readFileSync(path.join(dir, 'x.jsonl'), 'utf8')).toBe('');
  });

  it('readJsonl drops a last line cut short by a crash, and names the line of any other bad one', async () => {
    const file = path.join(dir, 'crashed.jsonl');
    writeFileSync(file, '{"a":1}\n\n{"a":2}\n{"a":3,"b":[1,');
    expect(await readJsonl(file)).toEqual([{ a: 1 }, { a: 2 }]);
    appendFileSync(file, '\n{"a":4}\n');
    await expect(readJsonl(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 4: `));
    writeFileSync(file, '{"a":1}\n[1,2]\n');
    await expect(readJsonl(file)).rejects.toThrow(/line 2: expected a JSON object, got an array/);
    await expect(readJsonl(path.join(dir, 'missing.jsonl'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
