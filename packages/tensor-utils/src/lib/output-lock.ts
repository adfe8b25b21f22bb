import { randomBytes } from 'node:crypto';
import { promises as fs, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KoenbertError } from './errors';

/** What a lock file says: who holds the output folder, since when, doing what. */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  command: string;
}

export interface OutputLock {
  /** The lock file (`.{name}.lock` beside the output folder). */
  file: string;
  /** Leftover temp files/folders of killed runs that were removed when the lock was taken. */
  removed: string[];
  /** Removes the lock file (only if it is still ours). Releasing twice is harmless. */
  release(): Promise<void>;
}

/** Lock files this process holds, removed on exit even when the stage never reaches its `finally`. */
const held = new Map<string, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const file of held.keys()) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
  });
}

/** Whether a process with this id exists on this machine (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file of an output folder: beside it, so stages that replace the whole folder keep their lock. */
export function lockFileOf(output: string): string {
  const resolved = path.resolve(output);
  return path.join(path.dirname(resolved), `.${path.basename(resolved)}.lock`);
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (Number.isInteger(holder.pid) && typeof holder.hostname === 'string') return holder;
  } catch {
    // a corrupt lock file
  }
  return { pid: -1, hostname: '?', startedAt: '?', command: '?' };
}

/**
 * Takes the lock of one output folder, so two processes never write the same run: a lock file
 * `.{name}.lock` beside the folder holds pid, hostname, start time and command. Another live process's
 * lock is a one-line error naming it; a lock whose process is dead (same host) is stale and cleared.
 * With the lock held, leftovers of killed runs of this output are removed: temp folders and files of
 * atomic writes (`.{name}.tmp-PID-…` beside it, `.*.tmp-PID-…` and `.model-PID` inside it and in its
 * `checkpoints/`) whose process is gone. A run killed between the two renames of writeDirAtomic left the
 * output missing and the previous one as `.{name}.tmp-PID-….old`: that one is put back first.
 */
export async function acquireOutputLock(params: {
  output: string;
  command: string;
  /** For tests: whether a pid is alive, the host name, this process's id, the clock. */
  isAlive?: (pid: number) => boolean;
  hostname?: string;
  pid?: number;
  now?: () => Date;
}): Promise<OutputLock> {
  const isAlive = params.isAlive ?? processAlive;
  const hostname = params.hostname ?? os.hostname();
  const pid = params.pid ?? process.pid;
  const file = lockFileOf(params.output);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const me: LockHolder = { pid, hostname, startedAt: (params.now?.() ?? new Date()).toISOString(), command: params.command };
  const content = `${JSON.stringify(me)}\n`;
  // written whole first, then linked into place: the lock file is never seen half-written
  const temp = `${file}.${pid}-${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temp, content);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(temp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
      }
      const holder = await readHolder(file);
      if (!holder) continue; // released meanwhile
      const stale =
        holder.pid === -1 || (holder.hostname === hostname && (!isAlive(holder.pid) || (holder.pid === pid && !held.has(file))));
      if (!stale) {
        throw new KoenbertError({
          code: 'OUTPUT_LOCKED',
          file: params.output,
          message: `in use by ${holder.command} (pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}); wait for it to finish, or delete ${file} if that process is gone`,
        });
      }
      await fs.rm(file, { force: true });
    }
  } finally {
    await fs.rm(temp, { force: true });
  }
  held.set(file, content);
  installExitHook();
  let removed: string[] = [];
  try {
    removed = await removeLeftovers({ output: params.output, isAlive, pid });
  } catch (error) {
    await release();
    throw error;
  }
  async function release(): Promise<void> {
    if (!held.has(file)) return;
    held.delete(file);
    const current = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (current === content) await fs.rm(file, { force: true });
  }
  return { file, removed, release };
}

const TEMP_OF_PID = /\.tmp-(\d+)-[0-9a-f]+(?:\.old)?$/;
const MODEL_TEMP = /^\.model-(\d+)$/;

/** Leftover temps of dead processes, beside the output (its own only) and inside it (and its checkpoints/). */
async function removeLeftovers(params: { output: string; isAlive: (pid: number) => boolean; pid: number }): Promise<string[]> {
  const output = path.resolve(params.output);
  const base = path.basename(output);
  const dead = (pid: number) => pid !== params.pid && !params.isAlive(pid);
  const removed: string[] = [];
  // killed between writeDirAtomic's two renames: the output is gone and `.old` holds the previous complete one: put it back
  const outputExists = await fs.stat(output).then(() => true, () => false);
  if (!outputExists) {
    for (const name of await fs.readdir(path.dirname(output)).catch(() => [] as string[])) {
      const match = name.startsWith(`.${base}.tmp-`) && name.endsWith('.old') ? TEMP_OF_PID.exec(name) : null;
      if (match && dead(Number(match[1]))) {
        await fs.rename(path.join(path.dirname(output), name), output);
        break;
      }
    }
  }
  const sweep = async (dir: string, belongs: (name: string) => boolean) => {
    const entries = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of entries) {
      if (!name.startsWith('.') || !belongs(name)) continue;
      const match = TEMP_OF_PID.exec(name) ?? MODEL_TEMP.exec(name);
      if (!match || !dead(Number(match[1]))) continue;
      await fs.rm(path.join(dir, name), { recursive: true, force: true });
      removed.push(path.join(dir, name));
    }
  };
  await sweep(path.dirname(output), (name) => name.startsWith(`.${base}.tmp-`));
  await sweep(output, () => true);
  await sweep(path.join(output, 'checkpoints'), () => true);
  return removed;
}
