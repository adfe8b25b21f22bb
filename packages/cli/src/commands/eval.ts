import path from 'node:path';
import { Command } from 'commander';
import { EvalConfigSchema, evaluateIter, mergeResults, writeReport, type EvalConfig, type EvaluateEvent, type TaskResult } from '@koenbert/eval-klue-glue';
import { initBackend, resolveConfig } from '@koenbert/tensor-utils';
import { driveStage } from '../render/stage-runner';
import { withOutputLock } from '../render/with-output-lock';
import type { CliContext } from './cli-context';
import { stageCommand } from './cli-context';
import { listResultFiles } from './list-result-files';
import { flagName, limitsOf, plannedEvalStep, planStep, refuseOversizedStep, withOutOfMemoryMessage, type SettingName } from './step-memory';

/** Fine-tunes and scores one model on one task with progress and a JSONL log; returns the result. */
export async function runEval(p: { ctx: CliContext; config: EvalConfig; logFile?: string; settingName?: SettingName }): Promise<TaskResult> {
  const { io } = p.ctx;
  const choice = await initBackend({ logger: (line) => io.stderr.write(`${line}\n`) });
  const memory = { step: await planStep(() => plannedEvalStep(p.config, p.settingName ?? flagName)), limits: await limitsOf(choice) };
  refuseOversizedStep({ ...memory, io });
  const logFile = p.logFile ?? (p.config.outputDir ? path.join(p.config.outputDir, 'koenbert-eval.jsonl') : undefined);
  return withOutOfMemoryMessage(memory, () => withOutputLock({ io, output: p.config.outputDir, command: 'eval' }, () =>
    driveStage<EvaluateEvent, TaskResult>({
      events: evaluateIter(p.config),
      io,
      logFile,
      progressInterval: p.ctx.progressInterval(),
      onEvent: (event) => {
        if (event.type === 'data') {
          io.stderr.write(`eval ${event.task}: ${event.mode}${event.folds ? ` (${event.folds} folds)` : ''}, ${event.trainExamples} train / ${event.evalExamples} eval examples, seeds ${event.seeds.join(',')}\n`);
        }
      },
    }),
  ));
}

export function formatResultLine(result: TaskResult): string {
  const metrics = Object.entries(result.metrics)
    .map(([name, value]) => `${name} ${(100 * value!.mean).toFixed(2)}${value!.values.length > 1 ? ` ± ${(100 * value!.std).toFixed(2)}` : ''}`)
    .join(', ');
  return `${result.model} ${result.task}: ${metrics} (${result.mode}${result.folds ? `, ${result.folds} folds` : ''}, ${result.evalExamples} examples)`;
}

export function evalCommand(ctx: CliContext) {
  return stageCommand({
    name: 'eval',
    description: 'Fine-tune a BERT on one KLUE or GLUE task and score it on the dev set (or by k-fold cross-validation of the dev set)',
    schema: EvalConfigSchema,
    examples: [
      'koenbert eval --model runs/koenbert-small --task klue-nli --dataDir ../shared/data --outputDir runs/eval',
      'koenbert eval --model klue/bert-base --task klue-ynat --dataDir ../shared/data --cv 5 --limit 2000 --seeds 3',
    ],
    action: async ({ file, overrides, logFile }) => {
      const config = await resolveConfig({ schema: EvalConfigSchema, file, overrides });
      const result = await runEval({ ctx, config, logFile });
      ctx.io.stdout.write(`${formatResultLine(result)}\n`);
    },
  });
}

export function evalMergeCommand(ctx: CliContext) {
  return new Command('eval-merge')
    .description('Merge eval result files (or folders of them) into one report: report.md, report.html and loss curves')
    .argument('<results...>', 'result files written by `koenbert eval --outputDir`, or folders holding them')
    .requiredOption('--output <dir>', 'folder for report.md, report.html and loss-curves/')
    .addHelpText('after', '\nExamples:\n  $ koenbert eval-merge runs/eval --output runs/report\n  $ koenbert eval-merge runs/eval/klue-bert-base/klue-nli.json runs/eval/koenbert-small/klue-nli.json --output runs/report\n')
    .action(async (inputs: string[], values: { output: string }) => {
      const files = await listResultFiles(inputs);
      const merged = await mergeResults(files);
      const written = await writeReport({ merged, outputDir: values.output });
      ctx.io.stdout.write(`${written.markdown}\n${written.html}\n`);
    });
}
