import { existsSync } from 'node:fs';
import path from 'node:path';
import { KoenbertError } from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { Tokenizer } from 'tokenizers';

/** Hugging Face `tokenizers` (Rust) instance with truncation to `maxLength` tokens and no padding. */
export interface LoadedTokenizer {
  tokenizer: Tokenizer;
  padId: number;
  maxLength: number;
  /** The file it came from: the task language's `tokenizer-ko.json` / `tokenizer-en.json`, `tokenizer.json`, or `vocab.txt`. */
  source: 'tokenizer-ko.json' | 'tokenizer-en.json' | 'tokenizer.json' | 'vocab.txt';
}

/**
 * The tokenizer of a BERT folder, with truncation to `maxLength` (longest-first for pairs) and padding off (batches are
 * padded by the caller): for a task `language`, the folder's `tokenizer-<language>.json` when present (a koenbert merged
 * folder's per-language file: the teacher's segmentation with merged ids, as in distillation); otherwise
 * `tokenizer.json` as HF `tokenizers` reads it (any model), otherwise `vocab.txt` (+ tokenizer_config.json,
 * special_tokens_map.json) read by @koenbert/tokenizer-merge's loader, as transformers' BertTokenizer reads it.
 */
export async function loadTokenizer(params: { dir: string; maxLength: number; fallbackPadId?: number; language?: 'ko' | 'en' }): Promise<LoadedTokenizer> {
  const { dir, maxLength } = params;
  const languageFile = params.language ? (`tokenizer-${params.language}.json` as const) : undefined;
  const jsonName = languageFile && existsSync(path.join(dir, languageFile)) ? languageFile : 'tokenizer.json';
  const jsonFile = path.join(dir, jsonName);
  let tokenizer: Tokenizer;
  let source: LoadedTokenizer['source'];
  if (existsSync(jsonFile)) {
    try {
      tokenizer = Tokenizer.fromFile(jsonFile);
    } catch (error) {
      throw new KoenbertError({ code: 'TOKENIZER_INVALID', file: jsonFile, message: `cannot load (${(error as Error).message})`, cause: error });
    }
    source = jsonName;
  } else if (existsSync(path.join(dir, 'vocab.txt'))) {
    tokenizer = (await loadWordPieceTokenizer(dir)).rustTokenizer();
    source = 'vocab.txt';
  } else {
    throw new KoenbertError({ code: 'TOKENIZER_NOT_FOUND', file: dir, message: 'no tokenizer.json or vocab.txt in the model folder' });
  }
  tokenizer.disablePadding();
  tokenizer.setTruncation(maxLength);
  const padId = tokenizer.tokenToId('[PAD]') ?? params.fallbackPadId ?? 0;
  return { tokenizer, padId, maxLength, source };
}
