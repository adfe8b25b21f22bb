import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { isKoenbertError, type KoenbertError } from '@koenbert/tensor-utils';
import type { CliContext } from './commands/cli-context';
import { distillCommand } from './commands/distill';
import { evalCommand, evalMergeCommand } from './commands/eval';
import { infoCommand } from './commands/info';
import { initEmbeddingsCommand } from './commands/init-embeddings';
import { mergeVocabCommand } from './commands/merge-vocab';
import { pretrainMlmCommand } from './commands/pretrain-mlm';
import { runCommand } from './commands/run';
import type { CliIo } from './io';

/** Exit codes: 0 done, 1 failed (stage error or unexpected), 2 usage error (bad flag or config value, missing required option). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * A bad option value is a usage error (exit 2): CONFIG_INVALID from the flags (no file) or from the `--config` file.
 * The same code for another file (a model folder's config.json) is bad input data: exit 1.
 */
function isUsageError(error: KoenbertError, argv: string[]): boolean {
  if (error.code !== 'CONFIG_INVALID') return false;
  if (error.file === undefined) return true;
  const at = argv.indexOf('--config');
  const configFile = at >= 0 ? argv[at + 1] : argv.find((arg) => arg.startsWith('--config='))?.slice('--config='.length);
  return configFile !== undefined && path.resolve(error.file) === path.resolve(configFile);
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError('expected a number of seconds ≥ 0.');
  return seconds;
}

/** The commander program for `io` (exported so tests and docs can walk the commands). */
export function buildProgram(io: CliIo): Command {
  const program = new Command('koenbert')
    .description('Turn a Korean BERT into a Korean+English BERT: merge vocabularies, initialise embeddings, distill, evaluate')
    .option('--verbose', 'print stack traces of unexpected errors')
    .addOption(new Option('--progress-interval <seconds>', 'seconds between progress lines when stderr is not a terminal').default(10).argParser(parseSeconds))
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', '\nExit codes: 0 done, 1 failed, 2 usage error (unknown or missing option, bad flag or config value).\n\nExamples:\n  $ koenbert run --config configs/offline-small.yaml\n  $ koenbert distill --help\n  $ koenbert info runs/offline-small/koenbert-small\n');
  const ctx: CliContext = { io, progressInterval: () => program.opts<{ progressInterval: number }>().progressInterval };
  for (const make of [mergeVocabCommand, initEmbeddingsCommand, distillCommand, evalCommand, evalMergeCommand, pretrainMlmCommand, runCommand, infoCommand]) program.addCommand(make(ctx));
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** `koenbert <argv>`: runs one command and returns its exit code; never exits the process. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code) ? EXIT.ok : EXIT.usage;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true;
    if (isKoenbertError(error)) {
      io.stderr.write(`koenbert: ${oneLine(error.message)}\n`);
      if (verbose && error.stack) io.stderr.write(`${error.stack}\n`);
      return isUsageError(error, argv) ? EXIT.usage : EXIT.failed;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`koenbert: unexpected error: ${oneLine(message)}${verbose ? '' : ' (--verbose for the stack trace)'}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT.failed;
  }
}

function oneLine(text: string): string {
  return text.split('\n')[0];
}
