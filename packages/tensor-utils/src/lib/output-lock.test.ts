import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KoenbertError } from './errors';
import { acquireOutputLock, lockFileOf, processAlive } from './output-lock';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-lock-'));
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

async function refused(run: () => Promise<unknown>): Promise<KoenbertError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KoenbertError);
  expect((error as Error).message).not.toContain('\n');
  return error as KoenbertError;
}

/** A process that exits at once: its pid is dead afterwards (and not reused within the test). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('acquireOutputLock', () => {
  it('writes pid, hostname, start time and command beside the folder, refuses a second holder in one line, and releases', async () => {
    const output = path.join(root, 'runs', 'student');
    const lock = await acquireOutputLock({ output, command: 'distill', now: () => new Date('2026-12-04T10:00:00Z') });
    expect(lock.file).toBe(path.join(root, 'runs', '.student.lock'));
    expect(JSON.parse(await fs.readFile(lock.file, 'utf8'))).toEqual({ pid: process.pid, hostname: os.hostname(), startedAt: '2026-12-04T10:00:00.000Z', command: 'distill' });
    const second = await refused(() => acquireOutputLock({ output, command: 'pretrain-mlm' }));
    expect(second.code).toBe('OUTPUT_LOCKED');
    expect(second.message).toBe(
      `${output}: in use by distill (pid ${process.pid} on ${os.hostname()}, since 2026-12-04T10:00:00.000Z); wait for it to finish, or delete ${lock.file} if that process is gone`,
    );
    // another live process (pid 1 here stands for one) on this host is refused too
    await lock.release();
    await fs.writeFile(lockFileOf(output), JSON.stringify({ pid: 1, hostname: os.hostname(), startedAt: 'x', command: 'eval' }));
    expect((await refused(() => acquireOutputLock({ output, command: 'distill' }))).message).toContain('in use by eval (pid 1 on');
    // a lock from another host cannot be checked: refused
    await fs.writeFile(lockFileOf(output), JSON.stringify({ pid: 123, hostname: 'elsewhere', startedAt: 'x', command: 'eval' }));
    expect((await refused(() => acquireOutputLock({ output, command: 'distill' }))).message).toContain('pid 123 on elsewhere');
    await fs.rm(lockFileOf(output));
    await lock.release(); // twice: harmless
    const again = await acquireOutputLock({ output, command: 'distill' });
    await again.release();
    await expect(fs.stat(again.file)).rejects.toThrow();
  });

  it('clears a stale lock whose process is dead, and one left by an earlier process with our own pid (containers)', async () => {
    const output = path.join(root, 'out');
    const dead = await deadPid();
    expect(processAlive(dead)).toBe(false);
    await fs.writeFile(lockFileOf(output), JSON.stringify({ pid: dead, hostname: os.hostname(), startedAt: 'x', command: 'distill' }));
    const lock = await acquireOutputLock({ output, command: 'distill' });
    expect(JSON.parse(await fs.readFile(lock.file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    await fs.writeFile(lockFileOf(output), JSON.stringify({ pid: 4242, hostname: os.hostname(), startedAt: 'x', command: 'distill' }));
    const reused = await acquireOutputLock({ output, command: 'distill', pid: 4242, isAlive: () => true });
    await reused.release();
    // an unreadable (corrupt) lock is treated as stale
    await fs.writeFile(lockFileOf(output), '{"pid":');
    await (await acquireOutputLock({ output, command: 'distill' })).release();
  });

  it('lets only one of many concurrent acquirers win', async () => {
    const output = path.join(root, 'race');
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acquireOutputLock({ output, command: `c${i}`, pid: 1000 + i, isAlive: () => true })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as KoenbertError).code).toBe('OUTPUT_LOCKED');
    await (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireOutputLock>>>).value.release();
    expect(await fs.readdir(root)).toEqual([]); // no temp lock files left behind
  });

  it('removes leftovers of kill -9 (dead pids) and keeps those of live processes and of other outputs', async () => {
    const output = path.join(root, 'runs', 'koenbert-small');
    const dead = await deadPid();
    const live = process.ppid;
    const parent = path.dirname(output);
    await fs.mkdir(path.join(output, 'checkpoints'), { recursive: true });
    const leftovers = [
      path.join(parent, `.koenbert-small.tmp-${dead}-0a1b2c3d`),
      path.join(parent, `.koenbert-small.tmp-${dead}-0a1b2c3d.old`),
      path.join(output, `.model-${dead}`),
      path.join(output, `.model.safetensors.tmp-${dead}-deadbeef`),
      path.join(output, 'checkpoints', `.step-00000030.tmp-${dead}-12345678`),
    ];
    const kept = [
      path.join(parent, `.merged-tokenizer.tmp-${dead}-0a1b2c3d`), // another output's: its own run cleans it
      path.join(output, `.model-${live}`),
      path.join(output, 'checkpoints', `.step-00000040.tmp-${live}-12345678`),
      path.join(output, 'checkpoints', 'step-00000020'),
      path.join(output, 'model.safetensors'),
    ];
    for (const item of [...leftovers, ...kept]) {
      if (item.endsWith('safetensors')) await fs.writeFile(item, 'x');
      else await fs.mkdir(path.join(item, 'inner'), { recursive: true });
    }
    const lock = await acquireOutputLock({ output, command: 'distill' });
    expect(lock.removed.sort()).toEqual([...leftovers].sort());
    for (const item of leftovers) await expect(fs.stat(item)).rejects.toThrow();
    for (const item of kept) await expect(fs.stat(item)).resolves.toBeDefined();
    await lock.release();
  });

  it('puts the previous output back when a kill came between the two renames of an atomic folder write', async () => {
    const output = path.join(root, 'runs', 'merged-tokenizer');
    const dead = await deadPid();
    const parent = path.dirname(output);
    const old = path.join(parent, `.merged-tokenizer.tmp-${dead}-0a1b2c3d.old`);
    const fresh = path.join(parent, `.merged-tokenizer.tmp-${dead}-0a1b2c3d`);
    await fs.mkdir(old, { recursive: true });
    await fs.writeFile(path.join(old, 'vocab.txt'), 'previous');
    await fs.mkdir(fresh, { recursive: true });
    const lock = await acquireOutputLock({ output, command: 'merge-vocab' });
    expect(await fs.readFile(path.join(output, 'vocab.txt'), 'utf8')).toBe('previous');
    expect(lock.removed).toEqual([fresh]);
    await lock.release();
  });

  it('refuses while another real process holds the lock, and takes it over once that process is killed with -9', async () => {
    const output = path.join(root, 'eval');
    const file = lockFileOf(output);
    // the holder writes its own lock (as acquireOutputLock does) and stays alive
    const script = `require('fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify({ pid: process.pid, hostname: require('os').hostname(), startedAt: 'now', command: 'eval' })); console.log('ready'); setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => holder.stdout!.once('data', resolve));
      expect((await refused(() => acquireOutputLock({ output, command: 'eval' }))).message).toContain(`in use by eval (pid ${holder.pid} on`);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.on('exit', resolve));
    }
    const lock = await acquireOutputLock({ output, command: 'eval' });
    expect(JSON.parse(await fs.readFile(file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  }, 20_000);
});
