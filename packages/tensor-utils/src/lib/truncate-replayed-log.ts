import { promises as fs } from 'node:fs';

/**
 * Cuts a JSONL training log back to a resumed checkpoint: everything from the first record of a step
 * after `step` on was logged by the run that went past the checkpoint and is about to be replayed, so it
 * is removed (truncated in place, so a logger already appending to the file keeps working). A torn last
 * line is removed too. Returns the number of lines removed.
 */
export async function truncateReplayedLog(params: { file: string; step: number }): Promise<number> {
  const data = await fs.readFile(params.file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!data) return 0;
  let offset = 0;
  let cut = -1;
  while (offset < data.length) {
    const newline = data.indexOf(10, offset);
    if (newline < 0) {
      cut = offset; // a line without its newline: torn by a kill
      break;
    }
    const record = parse(data.toString('utf8', offset, newline));
    const step = record?.step;
    if (typeof step === 'number' && step > params.step && (record?.event === 'step' || record?.type === 'step' || record?.type === 'progress' || record?.event === 'eval' || record?.type === 'eval')) {
      cut = offset;
      break;
    }
    offset = newline + 1;
  }
  if (cut < 0) return 0;
  const removed = data.subarray(cut).toString('utf8').split('\n').filter((line) => line.length > 0).length;
  await fs.truncate(params.file, cut);
  return removed;
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
