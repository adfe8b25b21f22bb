import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonlLogger } from './jsonl-logger';
import { truncateReplayedLog } from './truncate-replayed-log';

describe('truncateReplayedLog', () => {
  it('cuts the steps after the resumed checkpoint (and what followed them), keeping earlier lines, while a logger appends', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-replay-'));
    const file = path.join(dir, 'distill-log.jsonl');
    const lines = [
      { event: 'start', step: 0 },
      ...[1, 2, 3, 4].map((step) => ({ event: 'step', step, loss: 1 / step })),
      { type: 'checkpoint', step: 4 },
      ...[5, 6].map((step) => ({ event: 'step', step, loss: 1 / step })),
      { type: 'progress', step: 6 },
      { event: 'stopped', step: 6 },
    ];
    await fs.writeFile(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"event":"step","st`); // torn last line
    expect(await truncateReplayedLog({ file, step: 4 })).toBe(5);
    const logger = new JsonlLogger(file, { now: () => new Date(0) });
    logger.log({ event: 'resume', step: 4 });
    for (const step of [5, 6]) logger.log({ event: 'step', step });
    await logger.close();
    const steps = (await fs.readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event?: string; step: number })
      .filter((r) => r.event === 'step')
      .map((r) => r.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]); // each step once
    // nothing to cut, and no file at all
    expect(await truncateReplayedLog({ file, step: 6 })).toBe(0);
    expect(await truncateReplayedLog({ file: path.join(dir, 'absent.jsonl'), step: 1 })).toBe(0);
    await fs.rm(dir, { recursive: true });
  });
});
