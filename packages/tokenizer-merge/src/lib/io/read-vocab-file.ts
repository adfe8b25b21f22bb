import { KoenbertError } from '@koenbert/tensor-utils';
import { readTextFile } from './read-text-file';

/**
 * Reads a WordPiece vocab.txt: one token per line, the line number (from 0) is the id.
 * Empty lines and duplicate tokens are errors (they would make two ids share a string).
 */
export async function readVocabFile(file: string): Promise<string[]> {
  const text = await readTextFile(file);
  return parseVocabText(text, file);
}

export function parseVocabText(text: string, file: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const seen = new Map<string, number>();
  const vocab = lines.map((line, id) => {
    const token = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (token.length === 0) {
      throw new KoenbertError({ code: 'EMPTY_TOKEN', file, message: `line ${id + 1} is empty; every line must hold one token` });
    }
    const first = seen.get(token);
    if (first !== undefined) {
      throw new KoenbertError({
        code: 'DUPLICATE_TOKEN',
        file,
        message: `token ${JSON.stringify(token)} appears on lines ${first + 1} and ${id + 1}; every token must be unique`,
      });
    }
    seen.set(token, id);
    return token;
  });
  if (vocab.length === 0) throw new KoenbertError({ code: 'INVALID_VOCAB', file, message: 'the vocab is empty' });
  return vocab;
}
