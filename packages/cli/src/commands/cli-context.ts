import { Command } from 'commander';
import type { z } from 'zod';
import type { CliIo } from '../io';
import { addSchemaOptions, collectOverrides } from './schema-options';

export interface CliContext {
  io: CliIo;
  /** Seconds between progress lines when stderr is not a terminal (global --progress-interval). */
  progressInterval(): number;
}

export interface StageCommandParams {
  name: string;
  description: string;
  schema: z.ZodType;
  examples: string[];
  /**
   * The JSONL log the stage itself writes in its output folder (distill: `distill-log.jsonl`): the CLI then writes no log
   * of its own unless --log-file asks for one. Without it, the CLI's log is the stage's (`koenbert-<name>.jsonl`).
   */
  stageLog?: string;
  /** Receives the config file (if any), the flags as dotted-key overrides and --log-file. */
  action: (p: { file?: string; overrides: Record<string, unknown>; logFile?: string }) => Promise<void>;
}

/** A command whose flags are its stage's config schema, plus --config and --log-file. */
export function stageCommand(params: StageCommandParams): Command {
  const command = new Command(params.name)
    .description(params.description)
    .option('--config <file>', 'config file (.json, .yaml, .yml); flags override it')
    .option(
      '--log-file <file>',
      params.stageLog
        ? `also write every event, progress included, to this JSONL file (the stage logs to <output>/${params.stageLog})`
        : `JSONL log of every event (default: <output>/koenbert-${params.name}.jsonl)`,
    );
  const options = addSchemaOptions({ command, schema: params.schema });
  command.addHelpText('after', `\nExamples:\n${params.examples.map((line) => `  $ ${line}`).join('\n')}\n`);
  command.action(async (values: Record<string, unknown>) => {
    await params.action({
      file: values.config as string | undefined,
      overrides: collectOverrides({ options, values }),
      logFile: values.logFile as string | undefined,
    });
  });
  return command;
}
