import { promises as fs } from 'node:fs';
import { formatInitEmbeddingsReport, initEmbeddingsIter, InitEmbeddingsConfigSchema, type InitEmbeddingsConfig, type InitEmbeddingsReport } from '@koenbert/embed-init';
import { initBackend, resolveConfig } from '@koenbert/tensor-utils';
import { besideLog, driveStage, moveLogIn } from '../render/stage-runner';
import { withOutputLock } from '../render/with-output-lock';
import type { CliContext } from './cli-context';
import { stageCommand } from './cli-context';

/** Runs the init-embeddings stage with progress and its JSONL log; returns the report. */
export async function runInitEmbeddings(p: { ctx: CliContext; config: InitEmbeddingsConfig; logFile?: string }): Promise<InitEmbeddingsReport> {
  await initBackend({ logger: (line) => p.ctx.io.stderr.write(`${line}\n`) });
  return withOutputLock({ io: p.ctx.io, output: p.config.output, command: 'init-embeddings' }, () => initEmbeddingsLocked(p));
}

async function initEmbeddingsLocked(p: { ctx: CliContext; config: InitEmbeddingsConfig; logFile?: string }): Promise<InitEmbeddingsReport> {
  const log = besideLog({ output: p.config.output, command: 'init-embeddings' });
  const logFile = p.logFile ?? log.during;
  try {
    const report = await driveStage({ events: initEmbeddingsIter(p.config), io: p.ctx.io, logFile, progressInterval: p.ctx.progressInterval() });
    if (!p.logFile) await moveLogIn(log);
    return report;
  } catch (error) {
    // nothing was written (the stage writes its folder atomically): leave no log beside it either
    if (!p.logFile) await fs.rm(log.during, { force: true });
    throw error;
  }
}

export function initEmbeddingsCommand(ctx: CliContext) {
  return stageCommand({
    name: 'init-embeddings',
    description: "Build the merged-vocabulary student: the Korean model with new rows for the English tokens, mapped from the English model's embeddings",
    schema: InitEmbeddingsConfigSchema,
    examples: [
      'koenbert init-embeddings --korean klue/bert-base --english bert-base-uncased --tokenizer runs/merged-tokenizer --output runs/student-init',
      'koenbert init-embeddings --config init.yaml --method procrustes --compare ridge,procrustes',
    ],
    action: async ({ file, overrides, logFile }) => {
      const config = await resolveConfig({ schema: InitEmbeddingsConfigSchema, file, overrides });
      const report = await runInitEmbeddings({ ctx, config, logFile });
      ctx.io.stdout.write(`${formatInitEmbeddingsReport(report)}\n`);
    },
  });
}
