import { promises as fs } from 'node:fs';
import path from 'node:path';
import { JsonlLogger, type ProgressEvent } from '@koenbert/tensor-utils';
import type { CliIo } from '../io';
import { ProgressRenderer } from './progress-renderer';

export interface DriveParams<E, R> {
  /** The stage's event iterator. */
  events: AsyncGenerator<E, R>;
  io: CliIo;
  /** JSONL file that receives every event (undefined: none). */
  logFile?: string;
  /** Seconds between progress lines when stderr is not a terminal. */
  progressInterval: number;
  /** Called for each non-progress event (e.g. to print a line). */
  onEvent?: (event: E) => void;
}

/** Drains a stage iterator: every event to the JSONL log, ProgressEvents to the progress renderer. Returns the iterator's value. */
export async function driveStage<E, R>(params: DriveParams<E, R>): Promise<R> {
  const renderer = new ProgressRenderer({ stream: params.io.stderr, intervalSeconds: params.progressInterval });
  let logger: JsonlLogger | undefined;
  if (params.logFile) {
    await fs.mkdir(path.dirname(params.logFile), { recursive: true });
    logger = new JsonlLogger(params.logFile);
  }
  try {
    for (;;) {
      const next = await params.events.next();
      if (next.done) return next.value;
      const event = next.value;
      logger?.log(toLoggable(event));
      if (isProgress(event)) renderer.update(event);
      else if (params.onEvent) {
        renderer.stop();
        params.onEvent(event);
      }
    }
  } finally {
    renderer.stop();
    await logger?.close();
  }
}

function isProgress(event: unknown): event is ProgressEvent {
  return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'progress';
}

/** Events are plain data; anything else (typed arrays, bigints) is turned into JSON-friendly values. */
function toLoggable(event: unknown): object {
  return JSON.parse(JSON.stringify(event, (_key, value) => (typeof value === 'bigint' ? Number(value) : ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value))) as object;
}

/**
 * The JSONL log of a stage whose output folder is written atomically at the end (it must not exist before): the log
 * grows beside it and moves in when the stage has finished.
 */
export function besideLog(params: { output: string; command: string }): { during: string; final: string } {
  const output = path.resolve(params.output);
  return {
    during: path.join(path.dirname(output), `.${path.basename(output)}.koenbert-${params.command}.jsonl`),
    final: path.join(output, `koenbert-${params.command}.jsonl`),
  };
}

export async function moveLogIn(log: { during: string; final: string }): Promise<void> {
  try {
    await fs.rename(log.during, log.final);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
