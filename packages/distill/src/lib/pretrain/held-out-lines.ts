import type { HubOptions } from '@koenbert/tensor-utils';
import { listCorpusFiles } from '../data/corpus-files';
import { readCorpusRecords } from '../data/read-corpus-records';

/** FNV-1a (32 bit) of the UTF-16 code units of a line, scaled to [0, 1). */
function lineHash(line: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < line.length; i++) {
    h ^= line.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

/**
 * Whether a line belongs to the held-out slice: decided by a hash of its text alone, so the training stream (which
 * skips these lines) and the evaluation set agree in every run, on resume and across seeds.
 */
export function isHeldOutLine(line: string, fraction: number): boolean {
  return lineHash(line) < fraction;
}

/** The first `maxLines` held-out lines of the sources, in file order (no shuffling). */
export async function readHeldOutLines(params: { sources: string[]; fraction: number; maxLines: number; hub?: HubOptions }): Promise<string[]> {
  const lines: string[] = [];
  for (const source of params.sources) {
    for (const file of await listCorpusFiles({ source, hub: params.hub })) {
      const records = readCorpusRecords({ file, hub: params.hub });
      for await (const line of records) {
        if (line.length > 0 && isHeldOutLine(line, params.fraction)) lines.push(line);
        if (lines.length >= params.maxLines) {
          await records.return(undefined);
          return lines;
        }
      }
    }
  }
  return lines;
}
