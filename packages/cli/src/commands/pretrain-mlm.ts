import { PRETRAIN_LOG, PretrainMlmConfigSchema, pretrainMlmIter, resolvePretrainMlmConfig, type PretrainMlmConfig, type PretrainMlmEvent } from '@koenbert/distill';
import { initBackend } from '@koenbert/tensor-utils';
import { driveStage } from '../render/stage-runner';
import { withOutputLock } from '../render/with-output-lock';
import { stepRange } from './distill';
import type { CliContext } from './cli-context';
import { stageCommand } from './cli-context';
import { limitsOf, plannedPretrainStep, planStep, refuseOversizedStep, withOutOfMemoryMessage } from './step-memory';

function describePretrainEvent(event: PretrainMlmEvent): string | undefined {
  switch (event.type) {
    case 'start':
      return `pretrain-mlm: ${stepRange(event.startStep, event.totalSteps)}, vocab ${event.vocabSize}, ${(event.params / 1e6).toFixed(2)}M params, ${event.heldOutLines} held-out lines${event.resumedFrom ? `, resumed from ${event.resumedFrom}` : ''}`;
    case 'eval':
      return `pretrain-mlm: held-out at step ${event.step}: loss ${event.loss.toFixed(4)}, perplexity ${event.perplexity.toFixed(1)}`;
    case 'checkpoint':
      return `pretrain-mlm: checkpoint at step ${event.step} (${event.reason}) → ${event.dir}`;
    case 'stopped':
      return `pretrain-mlm: stopped by ${event.reason} at step ${event.step}; checkpoint ${event.checkpoint} — rerun with --resume to continue`;
    case 'non-finite':
      return `pretrain-mlm: non-finite loss at step ${event.step}`;
    case 'done':
      return `pretrain-mlm: done at step ${event.step} → ${event.output}`;
    default:
      return undefined;
  }
}

/** Trains a small BERT teacher with masked-language modelling; progress like the other stages, the stage's own JSONL log. */
export async function runPretrainMlm(p: { ctx: CliContext; config: PretrainMlmConfig; logFile?: string }): Promise<string> {
  const { io } = p.ctx;
  const choice = await initBackend({ logger: (line) => io.stderr.write(`${line}\n`) });
  const memory = { step: await planStep(() => plannedPretrainStep(p.config)), limits: await limitsOf(choice) };
  refuseOversizedStep({ ...memory, io });
  let output = p.config.output;
  let stopped = false;
  await withOutOfMemoryMessage(memory, () => withOutputLock({ io, output: p.config.output, command: 'pretrain-mlm' }, () =>
    driveStage<PretrainMlmEvent, void>({
      events: pretrainMlmIter(p.config, { signal: io.signal }),
      io,
      logFile: p.logFile,
      progressInterval: p.ctx.progressInterval(),
      onEvent: (event) => {
        const line = describePretrainEvent(event);
        if (line) io.stderr.write(`${line}\n`);
        if (event.type === 'stopped') stopped = true;
        if (event.type === 'done') output = event.output;
      },
    }),
  ));
  return stopped ? '' : output;
}

export function pretrainMlmCommand(ctx: CliContext) {
  return stageCommand({
    name: 'pretrain-mlm',
    description: 'Train a small BERT with masked-language modelling (dynamic 15 % masking, 80/10/10) from a WordPiece tokenizer and text',
    schema: PretrainMlmConfigSchema,
    stageLog: PRETRAIN_LOG,
    examples: [
      'koenbert pretrain-mlm --tokenizer ../shared/data/tokenizers/bert-base-uncased --data.files ../shared/data/text/en/wikitext-2-valid.txt --output runs/teachers/en --steps 3000',
      'koenbert pretrain-mlm --config teacher-ko.yaml --resume   # continue after Ctrl-C',
    ],
    action: async ({ file, overrides, logFile }) => {
      const config = await resolvePretrainMlmConfig({ file, overrides });
      const output = await runPretrainMlm({ ctx, config, logFile });
      ctx.io.stdout.write(output ? `pretrained model: ${output}\n` : 'stopped: resume with --resume\n');
    },
  });
}
