import { promises as fs } from 'node:fs';
import path from 'node:path';
import { JsonlLogger, type ProgressEvent } from '@koenbert/tensor-utils';
import type { CliIo } from '../io';
import { firstStepLine, isFirstStepEvent } from './first-step-line';
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

/** A line a library printed with console.log/info/debug while the stage ran (e.g. @huggingface/hub's "Downloading … to …"). */
export interface LibraryMessageEvent {
  type: 'library-message';
  level: 'log' | 'info' | 'debug';
  text: string;
}

const CAPTURED = ['log', 'info', 'debug'] as const;

/**
 * While `run` is pending, console.log/info/debug calls (libraries such as @huggingface/hub print on stdout) become
 * `library-message` events for `onMessage` instead of lines on stdout, which is the command's result only.
 */
async function capturingConsole<T>(onMessage: (event: LibraryMessageEvent) => void, run: () => Promise<T>): Promise<T> {
  const saved = CAPTURED.map((level) => console[level]);
  for (const level of CAPTURED) {
    console[level] = (...args: unknown[]) => onMessage({ type: 'library-message', level, text: args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ') });
  }
  try {
    return await run();
  } finally {
    CAPTURED.forEach((level, i) => (console[level] = saved[i]));
  }
}

/**
 * Drains a stage iterator: every event to the JSONL log, ProgressEvents to the progress renderer, a first-step event as
 * one line ("distill: first step 34.2 s; 100,000 steps ≈ 39.6 days at this speed"), lines libraries print on the
 * console to the log as `library-message` events. Returns the iterator's value.
 */
export async function driveStage<E, R>(params: DriveParams<E, R>): Promise<R> {
  const renderer = new ProgressRenderer({ stream: params.io.stderr, intervalSeconds: params.progressInterval });
  let logger: JsonlLogger | undefined;
  if (params.logFile) {
    await fs.mkdir(path.dirname(params.logFile), { recursive: true });
    logger = new JsonlLogger(params.logFile);
  }
  try {
    return await capturingConsole((event) => logger?.log(event), () => drain(params, renderer, logger));
  } finally {
    renderer.stop();
    await logger?.close();
  }
}

async function drain<E, R>(params: DriveParams<E, R>, renderer: ProgressRenderer, logger: JsonlLogger | undefined): Promise<R> {
  for (;;) {
    const next = await params.events.next();
    if (next.done) return next.value;
    const event = next.value;
    logger?.log(toLoggable(event));
    if (isProgress(event)) renderer.update(event);
    else if (isFirstStepEvent(event)) {
      // every stage's first step: its time and the whole run at that speed, on a line of its own
      renderer.stop();
      params.io.stderr.write(`${firstStepLine(event)}\n`);
    } else if (params.onEvent) {
      renderer.stop();
      params.onEvent(event);
    }
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
