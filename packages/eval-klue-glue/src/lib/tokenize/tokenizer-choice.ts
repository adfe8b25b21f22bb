import type { TaskSpec } from '../tasks/task-registry';

/**
 * Which tokenizer file of a koenbert merged folder encodes a split: `task` = the task language's
 * `tokenizer-ko.json` (KLUE) or `tokenizer-en.json` (GLUE), `merged` = `tokenizer.json`, `ko` / `en` = that language's
 * file whatever the task. Folders without per-language files (any other BERT) always use their tokenizer.json.
 */
export const TOKENIZER_CHOICES = ['task', 'merged', 'ko', 'en'] as const;
export type TokenizerChoice = (typeof TOKENIZER_CHOICES)[number];

/** The per-language file a choice asks for, or undefined for the merged tokenizer.json. */
export function tokenizerLanguage(choice: TokenizerChoice, task: TaskSpec): 'ko' | 'en' | undefined {
  if (choice === 'merged') return undefined;
  if (choice === 'task') return task.benchmark === 'klue' ? 'ko' : 'en';
  return choice;
}
