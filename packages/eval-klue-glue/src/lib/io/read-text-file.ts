import { promises as fs } from 'node:fs';
import { dataError } from './data-error';

/** A UTF-8 text file without its byte-order mark (GLUE's MRPC files start with one). */
export async function readTextFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(error)})`;
    throw dataError({ code: 'DATA_FILE_NOT_FOUND', file, message: reason, cause: error });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Lines without their `\n` / `\r\n`; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
