import { KoenbertError } from '@koenbert/tensor-utils';
import { normalizerToJson, type NormalizerSpec } from './normalization';

export interface SpecialTokens {
  unk: string;
  cls: string;
  sep: string;
  pad: string | null;
  mask: string | null;
}

/**
 * Everything a BERT WordPiece tokenizer is: the vocab (index = id), the normalizer, the special tokens,
 * and the added tokens matched verbatim in raw text before normalization (HF added_tokens, normalized=false).
 * Both the pure-TS encoder and the tokenizer.json handed to HF `tokenizers` are derived from it.
 */
export interface TokenizerSpec {
  vocab: string[];
  normalizer: NormalizerSpec;
  specialTokens: SpecialTokens;
  addedTokens: string[];
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  modelMaxLength: number | null;
}

export const SPECIAL_TOKEN_ROLES = ['pad', 'unk', 'cls', 'sep', 'mask'] as const;
export type SpecialTokenRole = (typeof SPECIAL_TOKEN_ROLES)[number];

/** Checks that unk, cls and sep (and pad/mask when named) are in the vocab; names the file when not. */
export function validateTokenizerSpec(spec: TokenizerSpec, file: string): void {
  const index = new Set(spec.vocab);
  if (!index.has(spec.specialTokens.unk)) {
    throw new KoenbertError({ code: 'MISSING_UNK', file, message: `the unknown token ${spec.specialTokens.unk} is not in the vocab` });
  }
  for (const role of ['cls', 'sep', 'pad', 'mask'] as const) {
    const token = spec.specialTokens[role];
    if (token !== null && !index.has(token)) {
      throw new KoenbertError({
        code: 'MISSING_SPECIAL_TOKEN',
        file,
        message: `the ${role} token ${token} is not in the vocab`,
      });
    }
  }
  for (const token of spec.addedTokens) {
    if (!index.has(token)) {
      throw new KoenbertError({ code: 'INVALID_VOCAB', file, message: `added token ${token} is not in the vocab` });
    }
  }
}

/**
 * The tokenizer.json (HF `tokenizers` format 1.0) for a spec, vocab written in id order. `ids` (token → id) replaces
 * the spec's own numbering, e.g. a teacher's tokens with their merged ids: ids may then have gaps and two tokens
 * may share one (the model's vocab is a token → id map); added and special tokens take their ids from it too.
 */
export function tokenizerSpecToJson(spec: TokenizerSpec, options: { ids?: ReadonlyMap<string, number> } = {}): string {
  const idOf = options.ids ?? new Map(spec.vocab.map((token, id) => [token, id]));
  const id = (token: string): number => idOf.get(token)!;
  const { cls, sep } = spec.specialTokens;
  const document = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: spec.addedTokens
      .map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
      .sort((a, b) => a.id - b.id),
    normalizer: normalizerToJson(spec.normalizer),
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: sep, type_id: 1 } },
      ],
      special_tokens: {
        [cls]: { id: cls, ids: [id(cls)], tokens: [cls] },
        [sep]: { id: sep, ids: [id(sep)], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: spec.continuingSubwordPrefix, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: spec.specialTokens.unk,
      continuing_subword_prefix: spec.continuingSubwordPrefix,
      max_input_chars_per_word: spec.maxInputCharsPerWord,
      vocab: '__KOENBERT_VOCAB__',
    },
  };
  const entries = options.ids ? [...options.ids].sort((a, b) => a[1] - b[1]) : spec.vocab.map((token, i): [string, number] => [token, i]);
  const vocab = `{\n${entries.map(([token, i]) => `      ${JSON.stringify(token)}: ${i}`).join(',\n')}\n    }`;
  return JSON.stringify(document, null, 2).replace('"__KOENBERT_VOCAB__"', () => vocab) + '\n';
}
