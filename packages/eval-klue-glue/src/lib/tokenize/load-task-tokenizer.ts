import type { TaskSpec } from '../tasks/task-registry';
import { loadTokenizer, type LoadedTokenizer } from './load-tokenizer';
import { tokenizerLanguage, type TokenizerChoice } from './tokenizer-choice';

/**
 * The tokenizers of one run: `train` from `choice`, `dev` from `devChoice` when it names another file (cross-lingual
 * scoring such as zero-shot KorSTS), else the same instance; `sources` says which files they were, for results.
 */
export async function loadTaskTokenizers(params: {
  dir: string;
  task: TaskSpec;
  maxLength: number;
  fallbackPadId: number;
  choice: TokenizerChoice;
  devChoice?: TokenizerChoice;
}): Promise<{ train: LoadedTokenizer; dev: LoadedTokenizer; sources: string }> {
  const load = (choice: TokenizerChoice) =>
    loadTokenizer({ dir: params.dir, maxLength: params.maxLength, fallbackPadId: params.fallbackPadId, language: tokenizerLanguage(choice, params.task) });
  const train = await load(params.choice);
  const dev = params.devChoice && params.devChoice !== params.choice ? await load(params.devChoice) : train;
  return { train, dev, sources: dev === train ? train.source : `${train.source} (train), ${dev.source} (dev)` };
}
