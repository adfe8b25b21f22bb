import { acquireOutputLock } from '@koenbert/tensor-utils';
import type { CliIo } from '../io';

/**
 * Runs a stage holding the lock of its output folder (a second koenbert on the same folder stops with one
 * line), after removing what killed runs of that folder left behind; says what it removed.
 */
export async function withOutputLock<T>(p: { io: CliIo; output: string | undefined; command: string }, run: () => Promise<T>): Promise<T> {
  if (p.output === undefined) return run();
  const lock = await acquireOutputLock({ output: p.output, command: p.command });
  try {
    if (lock.removed.length > 0) {
      p.io.stderr.write(`${p.command}: removed ${lock.removed.length} leftover temp folder(s) of a killed run: ${lock.removed.join(', ')}\n`);
    }
    return await run();
  } finally {
    await lock.release();
  }
}
