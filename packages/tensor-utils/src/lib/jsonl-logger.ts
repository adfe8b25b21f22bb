import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { KoenbertError } from './errors';

export interface JsonlLoggerOptions {
  /** Clock for the `time` field (tests pass a fixed one). */
  now?: () => Date;
  /** fsync after every line, so lines survive a power loss too (slower). Default false: a crashed process loses nothing either way. */
  fsyncEachLine?: boolean;
}

/**
 * Appends one JSON object per line to `file` (created with its folder; an existing file is appended to).
 * Each `log` is a single write(2) on an O_APPEND descriptor, with no buffering in JS: when `log` returns the line is in
 * the OS, so a killed run keeps every line it logged, and lines never interleave. Each record gets `time` (ISO 8601,
 * UTC) first unless it has its own. Non-finite numbers, which JSON lacks, are written as the strings "NaN",
 * "Infinity", "-Infinity" (a diverged loss stays visible instead of becoming null); bigints as decimal strings.
 */
export class JsonlLogger {
  readonly file: string;
  private fd: number | undefined;
  private readonly now: () => Date;
  private readonly fsyncEachLine: boolean;

  constructor(file: string, options: JsonlLoggerOptions = {}) {
    this.file = file;
    this.now = options.now ?? (() => new Date());
    this.fsyncEachLine = options.fsyncEachLine ?? false;
    try {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      this.fd = openSync(file, 'a');
    } catch (error) {
      throw new KoenbertError({ code: 'FILE_WRITE_FAILED', file, message: `cannot open log for appending: ${(error as Error).message}`, cause: error });
    }
  }

  log(record: object): void {
    if (this.fd === undefined) {
      throw new KoenbertError({ code: 'LOGGER_CLOSED', file: this.file, message: 'log() after close()' });
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', file: this.file, message: `a log record must be a plain object, got ${Array.isArray(record) ? 'an array' : typeof record}` });
    }
    let line: string;
    try {
      line = JSON.stringify({ time: this.now().toISOString(), ...record }, jsonSafe) + '\n';
    } catch (error) {
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', file: this.file, message: `log record is not serialisable: ${(error as Error).message}`, cause: error });
    }
    const bytes = Buffer.from(line, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    if (this.fsyncEachLine) fsyncSync(this.fd);
  }

  /** Flushes to disk (fsync) and closes; further `log` calls throw. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fsyncSync(fd);
    closeSync(fd);
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}
