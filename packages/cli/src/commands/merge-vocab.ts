import { promises as fs } from 'node:fs';
import { resolveConfig } from '@koenbert/tensor-utils';
import { formatMergeSummary, mergeVocabsIter, MergeVocabsConfigSchema, type MergeReport, type MergeVocabsConfig } from '@koenbert/tokenizer-merge';
import { besideLog, driveStage, moveLogIn } from '../render/stage-runner';
import { withOutputLock } from '../render/with-output-lock';
import type { CliContext } from './cli-context';
import { stageCommand } from './cli-context';

/** Runs the merge-vocab stage with progress and its JSONL log; returns the report. */
export async function runMergeVocab(p: { ctx: CliContext; config: MergeVocabsConfig; logFile?: string }): Promise<MergeReport> {
  return withOutputLock({ io: p.ctx.io, output: p.config.output, command: 'merge-vocab' }, () => mergeVocabLocked(p));
}

async function mergeVocabLocked(p: { ctx: CliContext; config: MergeVocabsConfig; logFile?: string }): Promise<MergeReport> {
  const log = besideLog({ output: p.config.output, command: 'merge-vocab' });
  const logFile = p.logFile ?? log.during;
  try {
    const report = await driveStage({ events: mergeVocabsIter(p.config), io: p.ctx.io, logFile, progressInterval: p.ctx.progressInterval() });
    if (!p.logFile) await moveLogIn(log);
    return report;
  } catch (error) {
    // nothing was written (the stage writes its folder atomically): leave no log beside it either
    if (!p.logFile) await fs.rm(log.during, { force: true });
    throw error;
  }
}

export function mergeVocabCommand(ctx: CliContext) {
  return stageCommand({
    name: 'merge-vocab',
    description: 'Merge a Korean and an English WordPiece vocabulary into one tokenizer (Korean ids kept, English tokens appended)',
    schema: MergeVocabsConfigSchema,
    examples: [
      'koenbert merge-vocab --korean klue/bert-base --english bert-base-uncased --output runs/merged-tokenizer',
      'koenbert merge-vocab --korean ../shared/data/tokenizers/kcelectra-base --english ../shared/data/tokenizers/bert-base-uncased --output runs/tok --koreanText ../shared/data/text/ko/kolaw-constitution.txt',
    ],
    action: async ({ file, overrides, logFile }) => {
      const config = await resolveConfig({ schema: MergeVocabsConfigSchema, file, overrides });
      const report = await runMergeVocab({ ctx, config, logFile });
      ctx.io.stdout.write(`${formatMergeSummary(report)}\n`);
    },
  });
}
