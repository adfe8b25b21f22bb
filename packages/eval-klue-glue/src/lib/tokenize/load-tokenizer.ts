import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { KoenbertError } from '@koenbert/tensor-utils';
import { bertNormalizer, bertPreTokenizer, bertProcessing, Tokenizer, WordPiece, wordPieceDecoder } from 'tokenizers';

/** Hugging Face `tokenizers` (Rust) instance with truncation to `maxLength` tokens and no padding. */
export interface LoadedTokenizer {
  tokenizer: Tokenizer;
  padId: number;
  maxLength: number;
  /** The file it came from: the task language's `tokenizer-ko.json` / `tokenizer-en.json`, `tokenizer.json`, or `vocab.txt`. */
  source: 'tokenizer-ko.json' | 'tokenizer-en.json' | 'tokenizer.json' | 'vocab.txt';
}

interface TokenizerConfig {
  do_lower_case?: boolean;
  strip_accents?: boolean | null;
  tokenize_chinese_chars?: boolean;
  unk_token?: string;
  cls_token?: string;
  sep_token?: string;
  pad_token?: string;
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new KoenbertError({ code: 'TOKENIZER_INVALID', file, message: `not valid JSON (${(error as Error).message})`, cause: error });
  }
}

function tokenContent(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return fallback;
}

/** A BERT WordPiece tokenizer from `vocab.txt` + `tokenizer_config.json` (HF BertTokenizer defaults: lower-cased). */
async function fromVocab(dir: string): Promise<Tokenizer> {
  const config = ((await readJson(path.join(dir, 'tokenizer_config.json'))) ?? {}) as TokenizerConfig;
  const special = (await readJson(path.join(dir, 'special_tokens_map.json'))) ?? {};
  const unk = tokenContent(special.unk_token ?? config.unk_token, '[UNK]');
  const cls = tokenContent(special.cls_token ?? config.cls_token, '[CLS]');
  const sep = tokenContent(special.sep_token ?? config.sep_token, '[SEP]');
  const model = await WordPiece.fromFile(path.join(dir, 'vocab.txt'), { unkToken: unk });
  const tokenizer = new Tokenizer(model);
  const lowercase = config.do_lower_case ?? true;
  tokenizer.setNormalizer(
    bertNormalizer({
      cleanText: true,
      handleChineseChars: config.tokenize_chinese_chars ?? true,
      lowercase,
      stripAccents: config.strip_accents ?? lowercase,
    }),
  );
  tokenizer.setPreTokenizer(bertPreTokenizer());
  tokenizer.setDecoder(wordPieceDecoder('##'));
  const sepId = tokenizer.tokenToId(sep);
  const clsId = tokenizer.tokenToId(cls);
  if (sepId === null || clsId === null) {
    throw new KoenbertError({ code: 'TOKENIZER_INVALID', file: path.join(dir, 'vocab.txt'), message: `the vocab has no ${sepId === null ? sep : cls} token` });
  }
  tokenizer.setPostProcessor(bertProcessing([sep, sepId], [cls, clsId]));
  tokenizer.addSpecialTokens([unk, cls, sep, tokenContent(special.pad_token ?? config.pad_token, '[PAD]'), tokenContent(special.mask_token, '[MASK]')]);
  return tokenizer;
}

/**
 * The tokenizer of a BERT folder, with truncation to `maxLength` (longest-first for pairs) and padding off (batches are
 * padded by the caller): for a task `language`, the folder's `tokenizer-<language>.json` when present (a koenbert merged
 * folder's per-language file: the teacher's segmentation with merged ids, as in distillation); otherwise
 * `tokenizer.json`, otherwise `vocab.txt` (+ tokenizer_config.json).
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
    tokenizer = await fromVocab(dir);
    source = 'vocab.txt';
  } else {
    throw new KoenbertError({ code: 'TOKENIZER_NOT_FOUND', file: dir, message: 'no tokenizer.json or vocab.txt in the model folder' });
  }
  tokenizer.disablePadding();
  tokenizer.setTruncation(maxLength);
  const padId = tokenizer.tokenToId('[PAD]') ?? params.fallbackPadId ?? 0;
  return { tokenizer, padId, maxLength, source };
}
