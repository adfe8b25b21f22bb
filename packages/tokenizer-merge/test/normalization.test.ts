import { Tokenizer as RustTokenizer } from 'tokenizers';
import { bertNormalizerSpec, MERGED_NORMALIZER, normalizeAligned, normalizeText, tokenizerSpecToJson, type NormalizerSpec } from '../src';
import { normalizerFromJson, normalizerToJson } from '../src/lib/normalization';

const KOREAN = bertNormalizerSpec({ lowercase: false, stripAccents: null });
const ENGLISH = bertNormalizerSpec({ lowercase: true, stripAccents: null });

/** HF tokenizers running the normalizer we write into tokenizer.json for a spec. */
function rustNormalize(spec: NormalizerSpec, text: string): string {
  const json = tokenizerSpecToJson({
    vocab: ['[UNK]', '[CLS]', '[SEP]'],
    normalizer: spec,
    specialTokens: { unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', pad: null, mask: null },
    addedTokens: [],
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    modelMaxLength: null,
  });
  return RustTokenizer.fromString(json).getNormalizer()!.normalizeString(text);
}

// Expected outputs written by hand from the rule, not taken from either implementation.
const cases: Array<[string, string, string, string, string]> = [
  // [what, input, Korean teacher, English teacher, merged]
  ['Hangul stays composed', '한국어 문장', '한국어 문장', '\u1112\u1161\u11ab\u1100\u116e\u11a8\u110b\u1165 \u1106\u116e\u11ab\u110c\u1161\u11bc', '한국어 문장'],
  ['English is lowercased and loses accents', 'Café Naïve ÉCOLE', 'Café Naïve ÉCOLE', 'cafe naive ecole', 'cafe naive ecole'],
  ['capitals keep case in a text with Hangul', 'KBS 뉴스와 SNS에 Café', 'KBS 뉴스와 SNS에 Café', 'kbs \u1102\u1172\u1109\u1173\u110b\u116a sns\u110b\u1166 cafe', 'KBS 뉴스와 SNS에 Cafe'],
  ['Hangul anywhere in the text counts', 'The Beatles의 노래', 'The Beatles의 노래', 'the beatles\u110b\u1174 \u1102\u1169\u1105\u1162', 'The Beatles의 노래'],
  ['an accented capital becomes a kept ASCII capital', 'É는', 'É는', 'e\u1102\u1173\u11ab', 'E는'],
  ['compatibility jamo count as Hangul', 'LOL ㅋㅋ', 'LOL ㅋㅋ', 'lol ㅋㅋ', 'LOL ㅋㅋ'],
  ['non-ASCII capitals are lowercased everywhere', 'ΣΑΣ 가', 'ΣΑΣ 가', 'σασ \u1100\u1161', 'σασ 가'],
  ['CJK ideographs are padded, control characters dropped', '中文\u0000x\u200by\tz', ' 中  文 xy z', ' 中  文 xy z', ' 中  文 xy z'],
  ['decomposed jamo are composed by the merged rule only', '\u1112\u1161\u11ab 글', '\u1112\u1161\u11ab 글', '\u1112\u1161\u11ab \u1100\u1173\u11af', '한 글'],
  ['emoji variation selectors are nonspacing marks', '❤️ 좋아', '❤️ 좋아', '❤ \u110c\u1169\u11c2\u110b\u1161', '❤ 좋아'],
];

describe('normalization rules', () => {
  test.each(cases)('%s', (_what, input, korean, english, merged) => {
    expect(normalizeText(input, KOREAN)).toBe(korean);
    expect(normalizeText(input, ENGLISH)).toBe(english);
    expect(normalizeText(input, MERGED_NORMALIZER)).toBe(merged);
  });

  test.each(cases)('HF tokenizers gives the same for: %s', (_what, input, korean, english, merged) => {
    expect(rustNormalize(KOREAN, input)).toBe(korean);
    expect(rustNormalize(ENGLISH, input)).toBe(english);
    expect(rustNormalize(MERGED_NORMALIZER, input)).toBe(merged);
  });

  test('offsets point back into the original text, removed characters leave no trace', () => {
    const text = 'cafe\u0301 中x\u200b😀 한';
    const aligned = normalizeAligned(text, MERGED_NORMALIZER);
    expect(aligned.chars.join('')).toBe('cafe  中 x😀 한');
    const spans = aligned.chars.map((char, i) => [char, text.slice(aligned.starts[i], aligned.ends[i])]);
    expect(spans).toEqual([
      ['c', 'c'],
      ['a', 'a'],
      ['f', 'f'],
      ['e', 'e'],
      [' ', ' '],
      [' ', '中'],
      ['中', '中'],
      [' ', '中'],
      ['x', 'x'],
      ['😀', '😀'],
      [' ', ' '],
      ['한', '한'],
    ]);
  });

  test('tokenizer.json normalizers are read back into the same spec; foreign ones are refused', () => {
    for (const spec of [KOREAN, ENGLISH, MERGED_NORMALIZER]) {
      expect(normalizerFromJson(normalizerToJson(spec), 'tokenizer.json')).toEqual(spec);
    }
    expect(normalizerFromJson({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true }, 'x')).toEqual(ENGLISH);
    expect(() => normalizerFromJson({ type: 'NFKC' }, '/models/x/tokenizer.json')).toThrow(
      /^\/models\/x\/tokenizer\.json: normalizer NFKC is not supported/,
    );
  });
});
