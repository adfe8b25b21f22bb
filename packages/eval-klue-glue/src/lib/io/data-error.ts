import { KoenbertError } from '@koenbert/tensor-utils';

/** Error codes this package throws for bad data (each message is one line naming the file). */
export type DataErrorCode =
  | 'DATA_FILE_NOT_FOUND'
  | 'DATA_MALFORMED_ROW'
  | 'DATA_UNKNOWN_LABEL'
  | 'DATA_EMPTY_SPLIT'
  | 'DATA_SPLIT_MISSING';

/** A data error at `file` (and `line`, 1-based, when the format has lines). */
export function dataError(params: { code: DataErrorCode; file: string; line?: number; message: string; cause?: unknown }): KoenbertError {
  const where = params.line === undefined ? '' : `line ${params.line}: `;
  return new KoenbertError({ code: params.code, file: params.file, message: `${where}${params.message}`, cause: params.cause });
}
