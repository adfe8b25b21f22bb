import { promises as fs } from 'node:fs';
import { KoenbertError } from './errors';

/**
 * Reads a JSON-lines file (as `JsonlLogger` writes it) into an array of objects. Blank lines are skipped. A last line
 * that is cut short (no final newline and not valid JSON: the process died mid-write) is dropped; any other bad line
 * is a KoenbertError naming the file and line number.
 */
export async function readJsonl<T = Record<string, unknown>>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_READ_FAILED';
    throw new KoenbertError({ code, file, message: code === 'FILE_NOT_FOUND' ? 'no such file' : (error as Error).message, cause: error });
  }
  const lines = text.split('\n');
  const records: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const isCutShort = i === lines.length - 1; // text did not end with '\n'
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (isCutShort) break;
      throw new KoenbertError({ code: 'JSONL_INVALID', file, message: `line ${i + 1}: ${(error as Error).message}`, cause: error });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new KoenbertError({ code: 'JSONL_INVALID', file, message: `line ${i + 1}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` });
    }
    records.push(value as T);
  }
  return records;
}
