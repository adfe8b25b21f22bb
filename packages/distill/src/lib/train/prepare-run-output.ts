import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KoenbertError } from '@koenbert/tensor-utils';
import { latestCheckpoint } from './checkpoint';

/** A trainer's output folder: its checkpoints and JSONL log, and the checkpoint to resume from (resume only). */
export interface RunOutput {
  output: string;
  checkpointDir: string;
  logFile: string;
  resumeFrom?: string;
}

/**
 * Readies a trainer's output folder (`output`, resolved; checkpoints in `checkpoints/`, the log `logName`). `resume`
 * without a checkpoint and a fresh start over a folder with checkpoints (unless `overwrite`) are errors, so a
 * finished or half-finished run is never clobbered by accident; `overwrite` removes the old checkpoints and log.
 */
export async function prepareRunOutput(params: { output: string; logName: string; resume: boolean; overwrite: boolean }): Promise<RunOutput> {
  const output = path.resolve(params.output);
  const checkpointDir = path.join(output, 'checkpoints');
  const logFile = path.join(output, params.logName);
  const existing = await latestCheckpoint(checkpointDir);
  if (params.resume && !existing) {
    throw new KoenbertError({ code: 'NOTHING_TO_RESUME', file: checkpointDir, message: 'no checkpoint to resume from (run without resume)' });
  }
  if (!params.resume && existing) {
    if (!params.overwrite) {
      throw new KoenbertError({ code: 'OUTPUT_EXISTS', file: output, message: 'already holds a run with checkpoints; set resume to continue it or overwrite to start over' });
    }
    await fs.rm(checkpointDir, { recursive: true, force: true });
    await fs.rm(logFile, { force: true });
  }
  await fs.mkdir(output, { recursive: true });
  return { output, checkpointDir, logFile, resumeFrom: params.resume ? existing : undefined };
}
