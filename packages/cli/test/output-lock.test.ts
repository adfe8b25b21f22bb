import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockFileOf } from '../../tensor-utils/src/lib/output-lock';
import { stepRange } from '../src/commands/distill';
import { runCli } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-cli-lock-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

/** Another process that holds the lock of `output` (writes it as acquireOutputLock does and stays alive). */
async function holdLock(output: string, command: string): Promise<ChildProcess> {
  await fs.mkdir(path.dirname(output), { recursive: true });
  const script = `require('fs').writeFileSync(${JSON.stringify(lockFileOf(output))}, JSON.stringify({ pid: process.pid, hostname: require('os').hostname(), startedAt: 'now', command: ${JSON.stringify(command)} })); console.log('ready'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
}

function expectLocked(run: { code: number; stderr: string }, output: string, holder: ChildProcess): void {
  expect(run.code).toBe(1);
  const last = run.stderr.trimEnd().split('\n').at(-1)!;
  expect(last).toBe(
    `koenbert: ${output}: in use by other (pid ${holder.pid} on ${os.hostname()}, since now); wait for it to finish, or delete ${lockFileOf(output)} if that process is gone`,
  );
}

describe('output-folder locks at the stage commands', () => {
  it.each([
    ['merge-vocab', (out: string) => ['merge-vocab', '--korean', 'k', '--english', 'e', '--output', out]],
    ['init-embeddings', (out: string) => ['init-embeddings', '--korean', 'k', '--english', 'e', '--tokenizer', 't', '--output', out]],
    ['distill', (out: string) => ['distill', '--student', 's', '--output', out, '--data.en', 'a.txt', '--preset', 'seed']],
    ['pretrain-mlm', (out: string) => ['pretrain-mlm', '--tokenizer', 't', '--output', out, '--data.files', 'a.txt']],
    ['eval', (out: string) => ['eval', '--model', 'm', '--task', 'klue-nli', '--outputDir', out]],
  ])('%s refuses an output folder another live process holds, in one line, and leaves its files alone', async (command, argv) => {
    const output = path.join(dir, command, 'out');
    const holder = await holdLock(output, 'other');
    // the holder's log beside the folder (merge-vocab, init-embeddings) must survive the refused run
    const besideLog = path.join(path.dirname(output), `.out.koenbert-${command}.jsonl`);
    await fs.writeFile(besideLog, '{"holder":true}\n');
    try {
      expectLocked(await runCli(argv(output)), output, holder);
      expect(await fs.readFile(besideLog, 'utf8')).toBe('{"holder":true}\n');
      expect(existsSync(lockFileOf(output))).toBe(true);
    } finally {
      await kill9(holder);
    }
  });

  it('after a kill -9: the stale lock and the killed run\'s temp folders are cleared by the next run, which releases its lock even when it fails', async () => {
    const output = path.join(dir, 'killed', 'merged-tokenizer');
    const holder = await holdLock(output, 'merge-vocab');
    const pid = holder.pid!;
    const leftovers = [path.join(path.dirname(output), `.merged-tokenizer.tmp-${pid}-0a1b2c3d`), path.join(path.dirname(output), `.merged-tokenizer.tmp-${pid}-0a1b2c3d.old`)];
    for (const folder of leftovers) await fs.mkdir(path.join(folder, 'inner'), { recursive: true });
    await fs.mkdir(output); // the output is there, so the `.old` one is not put back but removed
    await kill9(holder);
    // the tokenizers do not exist: the stage fails after taking the lock and cleaning up
    const run = await runCli(['merge-vocab', '--korean', path.join(dir, 'no-ko'), '--english', path.join(dir, 'no-en'), '--output', output]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`merge-vocab: removed 2 leftover temp folder(s) of a killed run: `);
    for (const folder of leftovers) expect(existsSync(folder)).toBe(false);
    expect(existsSync(lockFileOf(output))).toBe(false);
  });
});

describe('step ranges in progress lines', () => {
  it('never prints an empty range such as "steps 31..30"', () => {
    expect(stepRange(0, 30)).toBe('steps 1..30');
    expect(stepRange(10, 30)).toBe('steps 11..30');
    expect(stepRange(30, 30)).toBe('all 30 steps done, writing the final model');
  });
});
