/**
 * A user-facing error: one line that names the file (or field) and what is wrong.
 * The CLI prints `message` alone and exits non-zero; `cause` keeps the low-level error for --verbose.
 */
export class KoenbertError extends Error {
  readonly file?: string;
  readonly code: string;

  constructor(params: { code: string; message: string; file?: string; cause?: unknown }) {
    super(params.file ? `${params.file}: ${params.message}` : params.message, { cause: params.cause });
    this.name = 'KoenbertError';
    this.code = params.code;
    this.file = params.file;
  }
}

export function isKoenbertError(error: unknown): error is KoenbertError {
  return error instanceof KoenbertError;
}
