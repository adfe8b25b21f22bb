import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJsonl } from '@koenbert/tensor-utils';
import { driveStage } from '../src/render/stage-runner';

describe('driveStage', () => {
  it('turns what libraries print on the console (the Hub\'s "Downloading … to …") into events of the stage log, not stdout lines', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-stage-runner-'));
    const logFile = path.join(dir, 'stage.jsonl');
    let stdout = '';
    const write = jest.spyOn(process.stdout, 'write');
    async function* stage(): AsyncGenerator<{ type: string }, number> {
      console.debug('Downloading config.json to /cache/blobs/abc.incomplete');
      yield { type: 'loaded' };
      console.log('a', 2);
      return 7;
    }
    try {
      const result = await driveStage({ events: stage(), io: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } }, logFile, progressInterval: 0 });
      expect(result).toBe(7);
    } finally {
      write.mockRestore();
    }
    expect(write).not.toHaveBeenCalled();
    expect(stdout).toBe('');
    expect((await readJsonl<Record<string, unknown>>(logFile)).map(({ time: _time, ...event }) => event)).toEqual([
      { type: 'library-message', level: 'debug', text: 'Downloading config.json to /cache/blobs/abc.incomplete' },
      { type: 'loaded' },
      { type: 'library-message', level: 'log', text: 'a 2' },
    ]);
    expect(typeof console.debug).toBe('function');
    console.debug('after the stage the console is the console again');
    await fs.rm(dir, { recursive: true, force: true });
  });
});
