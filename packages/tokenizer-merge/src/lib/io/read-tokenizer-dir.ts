import path from 'node:path';
import { promises as fs } from 'node:fs';
import { KoenbertError } from '@koenbert/tensor-utils';
import { bertNormalizerSpec, normalizerFromJson } from '../normalization';
import { validateTokenizerSpec, type SpecialTokens, type TokenizerSpec } from '../tokenizer-spec';
import { fileExists, readJsonFile, readTextFile } from './read-text-file';
import { readVocabFile } from './read-vocab-file';

export type TokenizerFormat = 'tokenizer.json' | 'vocab.txt';

export interface TokenizerDir {
  dir: string;
  format: TokenizerFormat;
  spec: TokenizerSpec;
  /** The tokenizer.json text as found on disk (format 'tokenizer.json'), for HF `tokenizers` to load unchanged. */
  tokenizerJson: string | null;
}

/** The files an HF tokenizer folder may hold; resolveModelDir fetches these for a Hub id. */
export const TOKENIZER_FILES = ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

type Json = Record<string, unknown>;

function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content as string;
  return undefined;
}

async function readOptionalJson(file: string): Promise<Json | null> {
  if (!(await fileExists(file))) return null;
  const json = await readJsonFile(file);
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new KoenbertError({ code: 'INVALID_JSON', file, message: 'expected a JSON object' });
  }
  return json as Json;
}

/** Special-token names from special_tokens_map.json and tokenizer_config.json (the latter wins, as in transformers). */
function namedSpecialTokens(maps: Array<Json | null>): Partial<SpecialTokens> {
  const names: Partial<SpecialTokens> = {};
  for (const map of maps) {
    if (!map) continue;
    for (const role of ['unk', 'cls', 'sep', 'pad', 'mask'] as const) {
      const name = tokenName(map[`${role}_token`]);
      if (name !== undefined) names[role] = name;
    }
  }
  return names;
}

function withDefaults(names: Partial<SpecialTokens>, vocab: Set<string>): SpecialTokens {
  const optional = (name: string | null | undefined, fallback: string): string | null =>
    name ?? (vocab.has(fallback) ? fallback : null);
  return {
    unk: names.unk ?? '[UNK]',
    cls: names.cls ?? '[CLS]',
    sep: names.sep ?? '[SEP]',
    pad: optional(names.pad, '[PAD]'),
    mask: optional(names.mask, '[MASK]'),
  };
}

function detectModelType(model: Json): string {
  if (typeof model.type === 'string') return model.type;
  if ('merges' in model) return 'BPE';
  if (Array.isArray(model.vocab)) return 'Unigram';
  if ('continuing_subword_prefix' in model || 'max_input_chars_per_word' in model) return 'WordPiece';
  return 'WordLevel';
}

function vocabFromObject(vocab: unknown, file: string): string[] {
  if (!vocab || typeof vocab !== 'object' || Array.isArray(vocab)) {
    throw new KoenbertError({ code: 'INVALID_VOCAB', file, message: 'model.vocab must be an object of token → id' });
  }
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(vocab as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new KoenbertError({ code: 'INVALID_VOCAB', file, message: `token ${JSON.stringify(token)} has id ${String(id)}; ids must be integers ≥ 0` });
    }
    if (tokens[id] !== undefined) {
      throw new KoenbertError({ code: 'INVALID_VOCAB', file, message: `id ${id} is used by ${JSON.stringify(tokens[id])} and ${JSON.stringify(token)}` });
    }
    tokens[id] = token;
  }
  for (let id = 0; id < tokens.length; id++) {
    if (tokens[id] === undefined) throw new KoenbertError({ code: 'INVALID_VOCAB', file, message: `no token has id ${id}; ids must run 0..${tokens.length - 1}` });
  }
  if (tokens.length === 0) throw new KoenbertError({ code: 'INVALID_VOCAB', file, message: 'the vocab is empty' });
  return tokens;
}

/** cls and sep of a TemplateProcessing / BertProcessing post-processor. */
function postProcessorTokens(node: unknown, file: string): { cls: string; sep: string } {
  const processor = (node ?? {}) as Json;
  if (processor.type === 'BertProcessing') {
    const cls = processor.cls as [string, number] | undefined;
    const sep = processor.sep as [string, number] | undefined;
    if (cls && sep) return { cls: cls[0], sep: sep[0] };
  }
  if (processor.type === 'TemplateProcessing' && Array.isArray(processor.single)) {
    const single = processor.single as Json[];
    const first = single[0]?.SpecialToken as Json | undefined;
    const last = single[single.length - 1]?.SpecialToken as Json | undefined;
    const middle = single.length === 3 && (single[1]?.Sequence as Json | undefined)?.id === 'A';
    if (first && last && middle && typeof first.id === 'string' && typeof last.id === 'string') return { cls: first.id, sep: last.id };
  }
  throw new KoenbertError({
    code: 'UNSUPPORTED_POST_PROCESSOR',
    file,
    message: `post_processor ${String(processor.type ?? null)} is not supported; expected BERT's [CLS] A [SEP] template`,
  });
}

async function readTokenizerJsonDir(dir: string): Promise<TokenizerDir> {
  const file = path.join(dir, 'tokenizer.json');
  const text = await readTextFile(file);
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (error) {
    throw new KoenbertError({ code: 'INVALID_JSON', file, message: `not valid JSON (${(error as Error).message.split('\n')[0]})`, cause: error });
  }
  const model = (json.model ?? {}) as Json;
  const modelType = detectModelType(model);
  if (modelType !== 'WordPiece') {
    throw new KoenbertError({
      code: 'UNSUPPORTED_TOKENIZER_MODEL',
      file,
      message: `model type ${modelType} is not supported; only WordPiece (BERT) tokenizers can be merged`,
    });
  }
  const preTokenizer = json.pre_tokenizer as Json | null;
  if (!preTokenizer || preTokenizer.type !== 'BertPreTokenizer') {
    throw new KoenbertError({
      code: 'UNSUPPORTED_PRE_TOKENIZER',
      file,
      message: `pre_tokenizer ${String(preTokenizer?.type ?? null)} is not supported; expected BertPreTokenizer`,
    });
  }
  const vocab = vocabFromObject(model.vocab, file);
  const addedTokens: string[] = [];
  for (const added of (json.added_tokens ?? []) as Json[]) {
    const content = String(added.content);
    if (added.normalized === true || added.single_word === true || added.lstrip === true || added.rstrip === true) {
      throw new KoenbertError({
        code: 'UNSUPPORTED_ADDED_TOKEN',
        file,
        message: `added token ${content} uses normalized/single_word/lstrip/rstrip, which is not supported`,
      });
    }
    if (vocab[Number(added.id)] !== content) {
      throw new KoenbertError({ code: 'INVALID_VOCAB', file, message: `added token ${content} has id ${String(added.id)}, which the vocab gives to another token` });
    }
    addedTokens.push(content);
  }
  const maps = [await readOptionalJson(path.join(dir, 'special_tokens_map.json')), await readOptionalJson(path.join(dir, 'tokenizer_config.json'))];
  const names = namedSpecialTokens(maps);
  const { cls, sep } = postProcessorTokens(json.post_processor, file);
  const specialTokens = withDefaults({ ...names, unk: typeof model.unk_token === 'string' ? model.unk_token : names.unk, cls, sep }, new Set(vocab));
  const config = maps[1];
  const spec: TokenizerSpec = {
    vocab,
    normalizer: normalizerFromJson(json.normalizer, file),
    specialTokens,
    addedTokens,
    continuingSubwordPrefix: typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##',
    maxInputCharsPerWord: typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100,
    modelMaxLength: typeof config?.model_max_length === 'number' && config.model_max_length < 1e9 ? config.model_max_length : null,
  };
  validateTokenizerSpec(spec, file);
  return { dir, format: 'tokenizer.json', spec, tokenizerJson: text };
}

async function readVocabTxtDir(dir: string): Promise<TokenizerDir> {
  const file = path.join(dir, 'vocab.txt');
  const vocab = await readVocabFile(file);
  const specialMap = await readOptionalJson(path.join(dir, 'special_tokens_map.json'));
  const config = await readOptionalJson(path.join(dir, 'tokenizer_config.json'));
  const specialTokens = withDefaults(namedSpecialTokens([specialMap, config]), new Set(vocab));
  // transformers' BertTokenizer defaults: do_lower_case=True, strip_accents=None (follows lowercase), tokenize_chinese_chars=True.
  const lowercase = typeof config?.do_lower_case === 'boolean' ? config.do_lower_case : true;
  const stripAccents = typeof config?.strip_accents === 'boolean' ? config.strip_accents : null;
  const spec: TokenizerSpec = {
    vocab,
    normalizer: bertNormalizerSpec({ lowercase, stripAccents, handleChineseChars: config?.tokenize_chinese_chars !== false }),
    specialTokens,
    addedTokens: [],
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    modelMaxLength: typeof config?.model_max_length === 'number' && config.model_max_length < 1e9 ? config.model_max_length : null,
  };
  validateTokenizerSpec(spec, file);
  const present = new Set(vocab);
  spec.addedTokens = (['pad', 'unk', 'cls', 'sep', 'mask'] as const)
    .map((role) => specialTokens[role])
    .filter((token): token is string => token !== null && present.has(token));
  return { dir, format: 'vocab.txt', spec, tokenizerJson: null };
}

/**
 * Reads a local HF tokenizer folder: tokenizer.json when present (as transformers' fast tokenizer does),
 * otherwise vocab.txt with tokenizer_config.json / special_tokens_map.json.
 */
export async function readTokenizerDir(dir: string): Promise<TokenizerDir> {
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat || !stat.isDirectory()) {
    throw new KoenbertError({ code: 'MISSING_TOKENIZER_FILES', file: dir, message: 'not a folder' });
  }
  if (await fileExists(path.join(dir, 'tokenizer.json'))) return readTokenizerJsonDir(dir);
  if (await fileExists(path.join(dir, 'vocab.txt'))) return readVocabTxtDir(dir);
  throw new KoenbertError({ code: 'MISSING_TOKENIZER_FILES', file: dir, message: 'neither tokenizer.json nor vocab.txt is in this folder' });
}
