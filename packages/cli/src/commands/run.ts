import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { resolveDistillConfig } from '@koenbert/distill';
import { InitEmbeddingsConfigSchema, INIT_REPORT_FILE } from '@koenbert/embed-init';
import { EvalConfigSchema, mergeResults, resultFile, writeReport, type TaskName } from '@koenbert/eval-klue-glue';
import { isKoenbertError, JsonlLogger, KoenbertError, resolveConfig } from '@koenbert/tensor-utils';
import { MERGE_MAP_FILE, MergeVocabsConfigSchema } from '@koenbert/tokenizer-merge';
import type { CliContext } from './cli-context';
import { runDistill } from './distill';
import { formatResultLine, runEval } from './eval';
import { runInitEmbeddings } from './init-embeddings';
import { runMergeVocab } from './merge-vocab';
import { flattenKeys, RunConfigSchema, type RunConfig } from './run-config';

export const OFFLINE_CONFIG = 'configs/offline-small.yaml';

/** The folders `run` writes below the work folder. */
export function runLayout(output: string) {
  return {
    tokenizer: path.join(output, 'merged-tokenizer'),
    init: path.join(output, 'student-init'),
    student: path.join(output, 'koenbert-small'),
    eval: path.join(output, 'eval'),
    report: path.join(output, 'report'),
    log: path.join(output, 'koenbert-run.jsonl'),
  };
}

/** A finished distill run has its loss curve (written last); a started one has checkpoints to resume from. */
function distillState(dir: string): 'done' | 'started' | 'new' {
  if (existsSync(path.join(dir, 'loss-curve.svg')) && existsSync(path.join(dir, 'model.safetensors'))) return 'done';
  return existsSync(path.join(dir, 'checkpoints', 'latest.json')) ? 'started' : 'new';
}

async function runPipeline(p: { ctx: CliContext; config: RunConfig; file: string }): Promise<void> {
  const { ctx, config, file } = p;
  const out = runLayout(config.output);
  const say = (line: string) => ctx.io.stderr.write(`${line}\n`);
  const log = new JsonlLogger(out.log);
  const stage = (name: string, status: string, extra: object = {}) => {
    log.log({ stage: name, status, ...extra });
    say(`[${name}] ${status}`);
  };
  const label = (section: string) => `${file}: ${section}`;
  const offline = config.offline ? { offline: true } : {};
  try {
    if (existsSync(path.join(out.tokenizer, MERGE_MAP_FILE))) stage('merge-vocab', `skipped: ${out.tokenizer} is finished`);
    else {
      const merge = await resolveConfig({
        schema: MergeVocabsConfigSchema,
        overrides: { korean: config.koreanTokenizer ?? config.korean, english: config.englishTokenizer ?? config.english, output: out.tokenizer, ...offline, ...config.mergeVocab },
        overridesLabel: label('mergeVocab'),
      });
      stage('merge-vocab', 'running');
      await runMergeVocab({ ctx, config: merge });
      stage('merge-vocab', `done → ${out.tokenizer}`);
    }

    if (existsSync(path.join(out.init, INIT_REPORT_FILE))) stage('init-embeddings', `skipped: ${out.init} is finished`);
    else {
      const init = await resolveConfig({
        schema: InitEmbeddingsConfigSchema,
        overrides: { korean: config.korean, english: config.english, tokenizer: out.tokenizer, output: out.init, ...offline, ...config.initEmbeddings },
        overridesLabel: label('initEmbeddings'),
      });
      stage('init-embeddings', 'running');
      await runInitEmbeddings({ ctx, config: init });
      stage('init-embeddings', `done → ${out.init}`);
    }

    const state = distillState(out.student);
    if (state === 'done') stage('distill', `skipped: ${out.student} is finished`);
    else {
      const defaults = { student: out.init, output: out.student, teachers: { ko: { model: config.korean }, en: { model: config.english } }, hub: offline };
      const distill = await resolveDistillConfig({ overrides: { ...flattenKeys(defaults), ...flattenKeys(config.distill), resume: state === 'started' } }).catch((error: unknown) => {
        throw isKoenbertError(error) ? new KoenbertError({ code: error.code, message: `${label('distill')}: ${error.message}`, cause: error }) : error;
      });
      stage('distill', state === 'started' ? 'resuming from its last checkpoint' : 'running');
      const outcome = await runDistill({ ctx, config: distill });
      if (outcome.stopped) {
        stage('distill', `stopped at step ${outcome.step}; run again to resume`);
        return;
      }
      stage('distill', `done → ${out.student}`);
    }

    const models: Record<string, string> = { 'teacher-ko': config.korean, 'teacher-en': config.english, 'merged-init': out.init, 'koenbert-small': out.student };
    const files: string[] = [];
    let evaluated = 0;
    for (const name of config.eval.models) {
      for (const task of config.eval.tasks) {
        const target = resultFile({ outputDir: out.eval, model: name, task: task as TaskName });
        files.push(target);
        if (existsSync(target)) {
          stage(`eval ${name} ${task}`, `skipped: ${target} exists`);
          continue;
        }
        const evalConfig = await resolveConfig({
          schema: EvalConfigSchema,
          overrides: { ...offline, ...config.eval.options, ...config.eval.taskOptions[task], model: models[name], modelName: name, task, outputDir: out.eval },
          overridesLabel: label(config.eval.taskOptions[task] ? `eval.options, eval.taskOptions.${task}` : 'eval.options'),
        });
        stage(`eval ${name} ${task}`, 'running');
        const result = await runEval({ ctx, config: evalConfig, logFile: path.join(out.eval, 'koenbert-eval.jsonl') });
        evaluated += 1;
        stage(`eval ${name} ${task}`, formatResultLine(result));
      }
    }
    if (evaluated === 0 && existsSync(path.join(out.report, 'report.md'))) stage('report', `skipped: ${out.report} is up to date`);
    else {
      const written = await writeReport({ merged: await mergeResults(files), outputDir: out.report });
      stage('report', `done → ${written.markdown}`);
    }
    ctx.io.stdout.write(`${path.join(out.report, 'report.md')}\n`);
  } catch (error) {
    if (isHubUnreachable(error)) {
      throw new KoenbertError({
        code: 'HUB_UNREACHABLE',
        message: `the Hugging Face Hub cannot be reached (${(error as Error).message}); without Hub access run: koenbert run --config ${OFFLINE_CONFIG}`,
        cause: error,
      });
    }
    throw error;
  } finally {
    await log.close();
  }
}

/** tensor-utils classifies Hub errors; a fetch that never reached the server is HUB_UNREACHABLE. */
function isHubUnreachable(error: unknown): boolean {
  return isKoenbertError(error) && error.code === 'HUB_UNREACHABLE';
}

export function runCommand(ctx: CliContext) {
  return new Command('run')
    .description('Run the whole pipeline from one config file: merge-vocab → init-embeddings → distill → eval → report. Finished stages are skipped; a stopped distill resumes.')
    .requiredOption('--config <file>', 'pipeline config (.yaml, .yml, .json): output, korean, english, and sections mergeVocab, initEmbeddings, distill, eval')
    .option('--output <dir>', 'work folder (overrides the config file)')
    .addHelpText(
      'after',
      `\nExamples:\n  $ koenbert run --config configs/koenbert-base.yaml\n  $ koenbert run --config ${OFFLINE_CONFIG}            # no Hub access: project-built teachers, ../shared/data\n  $ koenbert run --config configs/ci-tiny.yaml --output /tmp/ci-run\n`,
    )
    .action(async (values: { config: string; output?: string }) => {
      const config = await resolveConfig({ schema: RunConfigSchema, file: values.config, overrides: { output: values.output } });
      await runPipeline({ ctx, config, file: values.config });
    });
}
