import { DISTILL_LOG, distillConfigSchema, distillIter, latestCheckpoint, readCheckpointState, resolveDistillConfig, type DistillConfig, type DistillEvent } from '@koenbert/distill';
import { initBackend, truncateReplayedLog } from '@koenbert/tensor-utils';
import path from 'node:path';
import { driveStage } from '../render/stage-runner';
import { withOutputLock } from '../render/with-output-lock';
import type { CliContext } from './cli-context';
import { stageCommand } from './cli-context';
import { flagName, limitsOf, plannedDistillStep, planStep, refuseOversizedStep, withOutOfMemoryMessage, type SettingName } from './step-memory';

export interface DistillOutcome {
  step: number;
  stopped: boolean;
  output: string;
}

/**
 * Runs the distill stage with progress; the stage writes its own JSONL log (`<output>/distill-log.jsonl`), and `logFile`
 * adds one of every event the CLI sees. SIGINT/SIGTERM are handled by the stage: it checkpoints and stops; rerun with
 * resume.
 */
export async function runDistill(p: { ctx: CliContext; config: DistillConfig; logFile?: string; signal?: AbortSignal; settingName?: SettingName }): Promise<DistillOutcome> {
  const { io } = p.ctx;
  const choice = await initBackend({ logger: (line) => io.stderr.write(`${line}\n`) });
  // before any data or weights are read: refuse a step the backend cannot hold
  const memory = { step: await planStep(() => plannedDistillStep(p.config, p.settingName ?? flagName)), limits: await limitsOf(choice) };
  refuseOversizedStep({ ...memory, io });
  let outcome: DistillOutcome = { step: 0, stopped: false, output: p.config.output };
  const logFile = p.logFile;
  await withOutOfMemoryMessage(memory, () => withOutputLock({ io, output: p.config.output, command: 'distill' }, async () => {
    // resuming: the event log loses the steps after the checkpoint, which run again
    const resumed = p.config.resume ? await latestCheckpoint(path.join(p.config.output, 'checkpoints')) : undefined;
    if (resumed && logFile) await truncateReplayedLog({ file: logFile, step: (await readCheckpointState(resumed)).step });
    return driveStage<DistillEvent, void>({
      events: distillIter(p.config, { signal: p.signal ?? p.ctx.io.signal }),
      io,
      logFile,
      progressInterval: p.ctx.progressInterval(),
      onEvent: (event) => {
        const line = describeDistillEvent(event);
        if (line) io.stderr.write(`${line}\n`);
        if (event.type === 'stopped') outcome = { step: event.step, stopped: true, output: p.config.output };
        if (event.type === 'done') outcome = { step: event.step, stopped: false, output: event.output };
      },
    });
  }));
  return outcome;
}

/** `steps 11..30`, or for a resumed run with nothing left to train: `all 30 steps done, writing the final model`. */
export function stepRange(startStep: number, totalSteps: number): string {
  return startStep >= totalSteps ? `all ${totalSteps} steps done, writing the final model` : `steps ${startStep + 1}..${totalSteps}`;
}

function describeDistillEvent(event: DistillEvent): string | undefined {
  switch (event.type) {
    case 'start':
      return `distill: ${stepRange(event.startStep, event.totalSteps)}, languages ${event.languages.join('+')}, student ${(event.studentParams / 1e6).toFixed(2)}M params${event.resumedFrom ? `, resumed from ${event.resumedFrom}` : ''}`;
    case 'checkpoint':
      return `distill: checkpoint at step ${event.step} (${event.reason}) → ${event.dir}`;
    case 'stopped':
      return `distill: stopped by ${event.reason} at step ${event.step}; checkpoint ${event.checkpoint} — rerun with --resume to continue`;
    case 'non-finite':
      return `distill: non-finite loss at step ${event.step}`;
    case 'done':
      return `distill: done at step ${event.step} → ${event.output}`;
    default:
      return undefined;
  }
}

export function distillCommand(ctx: CliContext) {
  return stageCommand({
    name: 'distill',
    description: 'MiniLMv2 distillation of the merged-vocabulary student from the Korean and English teachers (resumable; Ctrl-C checkpoints and stops)',
    schema: distillConfigSchema('default'),
    stageLog: DISTILL_LOG,
    examples: [
      'koenbert distill --student runs/student-init --output runs/koenbert-small --teachers.ko.model klue/bert-base --teachers.en.model bert-base-uncased --data.ko ko.txt --data.en en.txt --preset seed',
      'koenbert distill --config distill.yaml --optim.lr 1e-4 --steps 2000',
      'koenbert distill --config distill.yaml --resume   # continue after Ctrl-C',
    ],
    action: async ({ file, overrides, logFile }) => {
      const config = await resolveDistillConfig({ file, overrides });
      const outcome = await runDistill({ ctx, config, logFile });
      ctx.io.stdout.write(outcome.stopped ? `stopped at step ${outcome.step}: resume with --resume\n` : `distilled model: ${outcome.output} (step ${outcome.step})\n`);
    },
  });
}

