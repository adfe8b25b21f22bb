import { KoenbertError } from '@koenbert/tensor-utils';
import {
  HANGUL_CLASS,
  isBertControl,
  isBertWhitespace,
  isChineseChar,
  isHangul,
  isCombiningMark,
  isNonspacingMark,
  mayComposeWithPrevious,
} from './text/char-classes';

/**
 * What a BERT normalizer does to raw text, as flags. Teachers use the first four (HF BertNormalizer);
 * the merged tokenizer adds the last two, which together are the koenbert Korean+English rule:
 *
 * - `composeAfterStrip`: NFC after accent stripping. Stripping accents means NFD and dropping combining
 *   marks; NFD splits every Hangul syllable into jamo (none of which is a mark), and NFC puts them back, so
 *   Hangul leaves the normalizer exactly as it came in while Latin (and every other script) loses its accents
 *   as in bert-base-uncased. (In this form HF's StripAccents step drops spacing and enclosing marks too,
 *   which BertNormalizer keeps; only Indic-style scripts have those.)
 * - `keepCaseWithHangul`: in an input that contains Hangul, ASCII capitals (after accent stripping) keep
 *   their case: the input is Korean text, where the cased Korean vocab has the pieces the Korean model was
 *   trained with ("KBS", "SNS에", "The Beatles의"). In an input without Hangul letters are lowercased as
 *   for English. (Language detection by script, per input text; HF tokenizers normalizes each text of a
 *   pair on its own, and so does the TypeScript encoder.)
 */
export interface NormalizerSpec {
  cleanText: boolean;
  handleChineseChars: boolean;
  stripAccents: boolean;
  lowercase: boolean;
  composeAfterStrip: boolean;
  keepCaseWithHangul: boolean;
}

/** The normalizer of the merged Korean+English tokenizer (see NormalizerSpec). */
export const MERGED_NORMALIZER: NormalizerSpec = {
  cleanText: true,
  handleChineseChars: true,
  stripAccents: true,
  lowercase: true,
  composeAfterStrip: true,
  keepCaseWithHangul: true,
};

/** The HF BertNormalizer with the given flags (teachers). */
export function bertNormalizerSpec(params: {
  cleanText?: boolean;
  handleChineseChars?: boolean;
  stripAccents?: boolean | null;
  lowercase: boolean;
}): NormalizerSpec {
  return {
    cleanText: params.cleanText ?? true,
    handleChineseChars: params.handleChineseChars ?? true,
    stripAccents: params.stripAccents ?? params.lowercase,
    lowercase: params.lowercase,
    composeAfterStrip: false,
    keepCaseWithHangul: false,
  };
}

/**
 * Normalized text as an array of code points, each with the span [start, end) of the original string
 * (UTF-16 offsets) it came from; characters the normalizer removes leave no trace, as in `tokenizers`.
 */
export interface AlignedText {
  chars: string[];
  starts: number[];
  ends: number[];
}

const perCharCache = new Map<string, Map<string, string[]>>();

/** Normalizes `text` the way the HF normalizer described by `spec` does, keeping track of offsets. */
export function normalizeAligned(text: string, spec: NormalizerSpec): AlignedText {
  let aligned = cleanAndPad(text, spec);
  const keepCase = spec.lowercase && spec.keepCaseWithHangul && aligned.chars.some((char) => isHangul(char.codePointAt(0)!));
  if (spec.stripAccents || spec.lowercase) aligned = mapChars(aligned, spec, keepCase);
  if (spec.composeAfterStrip) aligned = composeNfc(aligned);
  return aligned;
}

/** Normalized text only. */
export function normalizeText(text: string, spec: NormalizerSpec): string {
  return normalizeAligned(text, spec).chars.join('');
}

function cleanAndPad(text: string, spec: NormalizerSpec): AlignedText {
  const chars: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < text.length; ) {
    const codePoint = text.codePointAt(i)!;
    const width = codePoint > 0xffff ? 2 : 1;
    let char = width === 1 ? text[i] : text.slice(i, i + 2);
    const start = i;
    i += width;
    if (spec.cleanText) {
      if (codePoint === 0 || codePoint === 0xfffd || isBertControl(char)) continue;
      if (isBertWhitespace(char)) char = ' ';
    }
    if (spec.handleChineseChars && isChineseChar(codePoint)) {
      chars.push(' ', char, ' ');
      starts.push(start, start, start);
      ends.push(i, i, i);
    } else {
      chars.push(char);
      starts.push(start);
      ends.push(i);
    }
  }
  return { chars, starts, ends };
}

function isAsciiCapital(char: string): boolean {
  return char.length === 1 && char >= 'A' && char <= 'Z';
}

/**
 * Whether tokenizer.json spells the spec as a Sequence (NFD, StripAccents, Lowercase, NFC, Replace steps)
 * rather than one BertNormalizer. The two strip different marks: BertNormalizer only nonspacing ones (Mn),
 * the StripAccents step every combining mark (Mn, Mc, Me).
 */
export function usesSequenceForm(spec: NormalizerSpec): boolean {
  return spec.composeAfterStrip || spec.keepCaseWithHangul;
}

/** NFD + drop marks (if stripAccents), then lowercase each code point (if lowercase) except kept ASCII capitals. */
function transformChar(char: string, spec: NormalizerSpec, keepCase: boolean): string[] {
  const isStripped = usesSequenceForm(spec) ? isCombiningMark : isNonspacingMark;
  const parts = spec.stripAccents ? Array.from(char.normalize('NFD')).filter((c) => !isStripped(c)) : [char];
  if (!spec.lowercase) return parts;
  return parts.flatMap((c) => (keepCase && isAsciiCapital(c) ? [c] : Array.from(c.toLowerCase())));
}

function mapChars(aligned: AlignedText, spec: NormalizerSpec, keepCase: boolean): AlignedText {
  const key = `${spec.stripAccents ? 's' : ''}${spec.lowercase ? 'l' : ''}${keepCase ? 'k' : ''}${usesSequenceForm(spec) ? 'q' : ''}`;
  let cache = perCharCache.get(key);
  if (!cache) {
    cache = new Map();
    perCharCache.set(key, cache);
  }
  const chars: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let k = 0; k < aligned.chars.length; k++) {
    const char = aligned.chars[k];
    const code = char.charCodeAt(0);
    if (code < 0x80) {
      const lower = spec.lowercase && code >= 65 && code <= 90 && !keepCase;
      chars.push(lower ? String.fromCharCode(code + 32) : char);
      starts.push(aligned.starts[k]);
      ends.push(aligned.ends[k]);
      continue;
    }
    if (spec.composeAfterStrip && code >= 0xac00 && code <= 0xd7a3) {
      // A Hangul syllable: NFD, mark stripping, lowercasing and NFC give it back unchanged.
      chars.push(char);
      starts.push(aligned.starts[k]);
      ends.push(aligned.ends[k]);
      continue;
    }
    let parts = cache.get(char);
    if (!parts) {
      parts = transformChar(char, spec, keepCase);
      cache.set(char, parts);
    }
    for (const part of parts) {
      chars.push(part);
      starts.push(aligned.starts[k]);
      ends.push(aligned.ends[k]);
    }
  }
  return { chars, starts, ends };
}

/**
 * NFC over clusters (a character followed by those that may compose with it). A cluster whose length
 * NFC keeps maps one to one; one that shrinks gives each output character the whole cluster's span.
 */
function composeNfc(aligned: AlignedText): AlignedText {
  const chars: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const n = aligned.chars.length;
  for (let k = 0; k < n; ) {
    let end = k + 1;
    while (end < n && mayComposeWithPrevious(aligned.chars[end])) end++;
    if (end === k + 1) {
      chars.push(aligned.chars[k]);
      starts.push(aligned.starts[k]);
      ends.push(aligned.ends[k]);
    } else {
      const cluster = aligned.chars.slice(k, end);
      const composed = Array.from(cluster.join('').normalize('NFC'));
      if (composed.length === cluster.length) {
        for (let j = 0; j < composed.length; j++) {
          chars.push(composed[j]);
          starts.push(aligned.starts[k + j]);
          ends.push(aligned.ends[k + j]);
        }
      } else {
        const start = Math.min(...aligned.starts.slice(k, end));
        const stop = Math.max(...aligned.ends.slice(k, end));
        for (const c of composed) {
          chars.push(c);
          starts.push(start);
          ends.push(stop);
        }
      }
    }
    k = end;
  }
  return { chars, starts, ends };
}

// ---------------------------------------------------------------------------------------------
// tokenizer.json form

type Json = Record<string, unknown>;

function placeholder(letter: string): string {
  return String.fromCharCode(0xe000 + letter.charCodeAt(0));
}

function capitalLetters(): string[] {
  return Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i));
}

/**
 * The HF `tokenizers` normalizer for a spec: a plain BertNormalizer for teachers, and for the merged rule
 * a Sequence that `tokenizers` (and transformers' fast tokenizer) runs unchanged:
 * BertNormalizer(clean, CJK, no strip, no lowercase) → NFD → StripAccents → 26 Replace (each ASCII capital
 * of a text that contains Hangul → a private-use placeholder) → Lowercase → NFC → 26 Replace (placeholders
 * → capitals). The patterns test for Hangul after (lookahead) or before (lookbehind, checked only once the
 * capital has matched) the capital.
 */
export function normalizerToJson(spec: NormalizerSpec): Json {
  if (!usesSequenceForm(spec)) {
    return {
      type: 'BertNormalizer',
      clean_text: spec.cleanText,
      handle_chinese_chars: spec.handleChineseChars,
      strip_accents: spec.stripAccents,
      lowercase: spec.lowercase,
    };
  }
  const keep = spec.keepCaseWithHangul && spec.lowercase;
  const protect = keep
    ? capitalLetters().map((letter) => ({
        type: 'Replace',
        pattern: { Regex: `${letter}(?:(?=[\\s\\S]*[${HANGUL_CLASS}])|(?<=[${HANGUL_CLASS}][\\s\\S]*${letter}))` },
        content: placeholder(letter),
      }))
    : [];
  const restore = keep
    ? capitalLetters().map((letter) => ({ type: 'Replace', pattern: { String: placeholder(letter) }, content: letter }))
    : [];
  return {
    type: 'Sequence',
    normalizers: [
      {
        type: 'BertNormalizer',
        clean_text: spec.cleanText,
        handle_chinese_chars: spec.handleChineseChars,
        strip_accents: false,
        lowercase: false,
      },
      ...(spec.stripAccents ? [{ type: 'NFD' }, { type: 'StripAccents' }] : []),
      ...protect,
      ...(spec.lowercase ? [{ type: 'Lowercase' }] : []),
      ...(spec.composeAfterStrip ? [{ type: 'NFC' }] : []),
      ...restore,
    ],
  };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Reads the `normalizer` of a tokenizer.json. Supported: BertNormalizer (any flags), null (no normalization)
 * and the merged Sequence this package writes; anything else is a KoenbertError naming the file.
 */
export function normalizerFromJson(json: unknown, file: string): NormalizerSpec {
  if (json === null || json === undefined) {
    return { cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false, composeAfterStrip: false, keepCaseWithHangul: false };
  }
  const node = json as Json;
  if (node.type === 'BertNormalizer') {
    const lowercase = node.lowercase !== false;
    return bertNormalizerSpec({
      cleanText: node.clean_text !== false,
      handleChineseChars: node.handle_chinese_chars !== false,
      stripAccents: typeof node.strip_accents === 'boolean' ? node.strip_accents : null,
      lowercase,
    });
  }
  const target = canonical(json);
  const flags = [false, true];
  for (const cleanText of flags)
    for (const handleChineseChars of flags)
      for (const stripAccents of flags)
        for (const lowercase of flags)
          for (const composeAfterStrip of flags)
            for (const keepCaseWithHangul of flags) {
              const spec = { cleanText, handleChineseChars, stripAccents, lowercase, composeAfterStrip, keepCaseWithHangul };
              if (canonical(normalizerToJson(spec)) === target) return spec;
            }
  throw new KoenbertError({
    code: 'UNSUPPORTED_NORMALIZER',
    file,
    message: `normalizer ${String(node.type)} is not supported; expected a BertNormalizer or the koenbert merged normalizer`,
  });
}
