import { promises as fs } from 'node:fs';
import { decodeUtf8Strict, KoenbertError } from '@koenbert/tensor-utils';

/** Reads a UTF-8 file; a missing, unreadable or non-UTF-8 file is a one-line KoenbertError naming it. */
export async function readTextFile(file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a file' : `cannot be read (${code ?? 'error'})`;
    throw new KoenbertError({ code: 'UNREADABLE_FILE', file, message: reason, cause: error });
  }
  try {
    // the rule every text input follows (corpora too): malformed UTF-8 is an error naming the byte
    return decodeUtf8Strict({ bytes, file });
  } catch (error) {
    const detail = (error as KoenbertError).message.slice(file.length + 2).replace(/ \(the file must be UTF-8 text\)$/, '');
    throw new KoenbertError({ code: 'UNREADABLE_FILE', file, message: `not valid UTF-8 text (${detail})`, cause: error });
  }
}

/** Reads and parses a JSON file (errors as readTextFile, plus INVALID_JSON). */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KoenbertError({ code: 'INVALID_JSON', file, message: `not valid JSON (${(error as Error).message.split('\n')[0]})`, cause: error });
  }
}

export async function fileExists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
