import path from 'node:path';
import { JsonlLogger, truncateReplayedLog, writeFileAtomic } from '@koenbert/tensor-utils';

/**
 * Opens a trainer's JSONL log at `step`: after a resume, the lines of the steps past the checkpoint go (those steps
 * run again, so the log and its loss curve have each step once); the resolved config is saved beside the log as
 * `configName`, and the first record says 'start' or 'resume'.
 */
export async function openRunLog(params: { logFile: string; configName: string; config: object; step: number; resumedFrom?: string }): Promise<JsonlLogger> {
  const { logFile, config, step, resumedFrom } = params;
  if (resumedFrom) await truncateReplayedLog({ file: logFile, step });
  const logger = new JsonlLogger(logFile);
  await writeFileAtomic(path.join(path.dirname(logFile), params.configName), `${JSON.stringify(config, null, 2)}\n`);
  logger.log({ event: resumedFrom ? 'resume' : 'start', step, checkpoint: resumedFrom, config });
  return logger;
}
