import path from 'node:path';
import type { TaskName } from '../tasks/task-registry';

/** Where `evaluate` writes a result: `<outputDir>/<model>/<task>.json` (model name made file-system safe). */
export function resultFile(params: { outputDir: string; model: string; task: TaskName }): string {
  return path.join(params.outputDir, params.model.replace(/[^A-Za-z0-9._-]+/g, '_'), `${params.task}.json`);
}
