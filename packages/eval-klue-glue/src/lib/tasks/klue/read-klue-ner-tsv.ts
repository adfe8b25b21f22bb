import { dataError } from '../../io/data-error';
import { readTextFile, splitLines } from '../../io/read-text-file';
import type { NerExample } from '../examples';
import { classIndex } from '../label-value';
import type { TaskSpec } from '../task-registry';

/**
 * KLUE NER tsv: one `character<TAB>BIO-tag` line per character, sentences separated by an empty line,
 * `## …` comment lines (a `## guid<TAB>tagged sentence` comment names the next sentence).
 */
export async function readKlueNerTsv(params: { task: TaskSpec; file: string }): Promise<NerExample[]> {
  const { task, file } = params;
  const lines = splitLines(await readTextFile(file));
  const examples: NerExample[] = [];
  let guid: string | undefined;
  let chars: string[] = [];
  let labels: number[] = [];
  const flush = (): void => {
    if (chars.length > 0) examples.push({ id: guid ?? `sentence-${examples.length}`, chars, labels });
    chars = [];
    labels = [];
    guid = undefined;
  };
  lines.forEach((text, index) => {
    const line = index + 1;
    if (text.startsWith('##')) {
      const match = /^##\s*(\S+)\t/.exec(text);
      if (match) {
        flush();
        guid = match[1];
      }
      return;
    }
    if (text === '') {
      flush();
      return;
    }
    const fields = text.split('\t');
    const char = fields[0];
    if (fields.length !== 2 || [...char].length !== 1) {
      throw dataError({
        code: 'DATA_MALFORMED_ROW',
        file,
        line,
        message: `expected "<one character><TAB><BIO tag>", found ${JSON.stringify(text)}`,
      });
    }
    chars.push(char);
    labels.push(classIndex({ task, value: fields[1], file, line }));
  });
  flush();
  return examples;
}
