import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { mergeResults, writeReport } from '@koenbert/eval-klue-glue';
import { isKoenbertError, JsonlLogger, KoenbertError, resolveConfig } from '@koenbert/tensor-utils';
import type { CliContext } from './cli-context';
import { runDistill } from './distill';
import { formatResultLine, runEval } from './eval';
import { runInitEmbeddings } from './init-embeddings';
import { runMergeVocab } from './merge-vocab';
import { RunConfigSchema, type RunConfig } from './run-config';
import { planRun, runLayout, type RunUnit } from './run-plan';
import { preflightRun } from './run-preflight';
import { writeRunRecord } from './run-record';

export { runLayout };

export const OFFLINE_CONFIG = 'configs/offline-small.yaml';
export const BUILD_TEACHERS = 'node tools/build-teachers.mjs';

/**
 * One line saying what changed since the outputs were made and which units --rerun-changed would redo; thrown before
 * anything runs.
 */
function changedError(p: { units: RunUnit[]; file: string; output: string }): KoenbertError {
  const changed = p.units.filter((unit) => unit.state === 'changed');
  const causes = [...new Set(changed.flatMap((unit) => unit.changes))];
  const stages = [...new Set(changed.map((unit) => (unit.kind === 'eval' ? 'eval' : unit.id)))];
  const evals = changed.filter((unit) => unit.kind === 'eval').length;
  const what = stages.map((stage) => (stage === 'eval' ? `${evals} eval result${evals === 1 ? '' : 's'}` : stage)).join(', ');
  return new KoenbertError({
    code: 'RUN_CHANGED',
    file: p.file,
    message: `changed since ${p.output} was made: ${causes.join('; ')} — add --rerun-changed to redo ${what} (and the report)`,
  });
}

async function removeOutput(unit: RunUnit): Promise<void> {
  await fs.rm(unit.output, { recursive: true, force: true });
  await fs.rm(unit.recordFile, { force: true });
}

async function runPipeline(p: { ctx: CliContext; config: RunConfig; file: string; rerunChanged: boolean }): Promise<void> {
  const { ctx, config, file } = p;
  const out = runLayout(config.output, config.name);
  const units = await planRun({ config, file });
  if (!p.rerunChanged && units.some((unit) => unit.state === 'changed')) throw changedError({ units, file, output: config.output });

  // a training step that cannot fit is refused now, not after the stages before it have run
  await preflightRun({ ctx, config, units });
  const say = (line: string) => ctx.io.stderr.write(`${line}\n`);
  await fs.mkdir(config.output, { recursive: true });
  const log = new JsonlLogger(out.log);
  const status = (unit: RunUnit, text: string, extra: object = {}) => {
    log.log({ stage: unit.id, status: text, ...extra });
    say(`[${unit.id}] ${text}`);
  };
  let current: RunUnit | undefined;
  try {
    for (const unit of units) {
      current = unit;
      if (unit.state === 'done') {
        status(unit, `skipped: ${unit.output} is up to date`);
        continue;
      }
      if (unit.state === 'changed') {
        status(unit, `rerunning (changed: ${unit.changes.join('; ') || 'an input it is made from'})`);
        await removeOutput(unit);
      }
      const stopped = await runUnit({ ctx, unit, status });
      if (stopped) return;
    }
    current = undefined;
    ctx.io.stdout.write(`${path.join(out.report, 'report.md')}\n`);
  } catch (error) {
    const wrapped = isHubUnreachable(error)
      ? new KoenbertError({
          code: 'HUB_UNREACHABLE',
          message: `the Hugging Face Hub cannot be reached (${(error as Error).message}); without Hub access build the project's small teachers with \`${BUILD_TEACHERS}\` (about 1.5 h on two idle cores), then run: koenbert run --config ${OFFLINE_CONFIG}`,
          cause: error,
        })
      : error;
    if (current) {
      const message = wrapped instanceof Error ? wrapped.message.split('\n')[0] : String(wrapped);
      log.log({ stage: current.id, status: 'failed', error: message, ...(isKoenbertError(wrapped) ? { code: wrapped.code } : {}) });
    }
    throw wrapped;
  } finally {
    await log.close();
  }
}

/** Runs one unit and writes its record; returns true when distill was stopped (run again to resume). */
async function runUnit(p: { ctx: CliContext; unit: RunUnit; status: (unit: RunUnit, text: string, extra?: object) => void }): Promise<boolean> {
  const { ctx, unit, status } = p;
  switch (unit.kind) {
    case 'merge-vocab':
      status(unit, 'running');
      await runMergeVocab({ ctx, config: unit.config });
      await writeRunRecord(unit.recordFile, unit.record);
      status(unit, `done → ${unit.output}`);
      return false;
    case 'init-embeddings':
      status(unit, 'running');
      await runInitEmbeddings({ ctx, config: unit.config });
      await writeRunRecord(unit.recordFile, unit.record);
      status(unit, `done → ${unit.output}`);
      return false;
    case 'distill': {
      const resume = unit.state === 'started';
      // written first: a stopped run resumes only when made from the same config and inputs
      await writeRunRecord(unit.recordFile, unit.record);
      status(unit, resume ? 'resuming from its last checkpoint' : 'running');
      const outcome = await runDistill({ ctx, config: { ...unit.config, resume }, settingName: (key) => `distill.${key}` });
      if (outcome.stopped) {
        status(unit, `stopped at step ${outcome.step}; run again to resume`);
        return true;
      }
      status(unit, `done → ${unit.output}`);
      return false;
    }
    case 'eval': {
      status(unit, 'running');
      const result = await runEval({
        ctx,
        config: unit.config,
        logFile: path.join(unit.config.outputDir!, 'koenbert-eval.jsonl'),
        settingName: (key) => `eval.options.${key}`,
      });
      await writeRunRecord(unit.recordFile, unit.record);
      status(unit, formatResultLine(result));
      return false;
    }
    case 'report': {
      const written = await writeReport({ merged: await mergeResults(unit.files), outputDir: unit.output });
      await writeRunRecord(unit.recordFile, unit.record);
      status(unit, `done → ${written.markdown}`);
      return false;
    }
  }
}

/** tensor-utils classifies Hub errors; a fetch that never reached the server is HUB_UNREACHABLE. */
function isHubUnreachable(error: unknown): boolean {
  return isKoenbertError(error) && error.code === 'HUB_UNREACHABLE';
}

export function runCommand(ctx: CliContext) {
  return new Command('run')
    .description(
      'Run the whole pipeline from one config file: merge-vocab → init-embeddings → distill → eval → report. Every stage section is checked before the first stage starts. Each output records what it was made from (effective config, input fingerprints): finished stages made from the same are skipped, a stopped distill resumes, and when the config or an input changed run stops and names the changes (--rerun-changed redoes them and everything after).',
    )
    .requiredOption('--config <file>', 'pipeline config (.yaml, .yml, .json): output, name, korean, english, and sections mergeVocab, initEmbeddings, distill, eval')
    .option('--output <dir>', 'work folder (overrides the config file)')
    .option('--rerun-changed', 'redo the stages and eval results whose config or inputs changed since they were made, and everything downstream of them')
    .addHelpText(
      'after',
      `\nExamples:\n  $ koenbert run --config configs/koenbert-base.yaml               # Hub teachers and datasets\n  $ ${BUILD_TEACHERS} && koenbert run --config ${OFFLINE_CONFIG}   # no Hub access: project-built teachers, ../shared/data\n  $ node tools/make-tiny-teachers.mjs && koenbert run --config configs/ci-tiny.yaml --output /tmp/ci-run\n  $ koenbert run --config configs/ci-tiny.yaml --rerun-changed      # after editing the config\n`,
    )
    .action(async (values: { config: string; output?: string; rerunChanged?: boolean }) => {
      const config = await resolveConfig({ schema: RunConfigSchema, file: values.config, overrides: { output: values.output } });
      await runPipeline({ ctx, config, file: values.config, rerunChanged: values.rerunChanged === true });
    });
}
