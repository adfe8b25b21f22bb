import type { Encoding as RustEncoding } from 'tokenizers';
import type { Encoding } from './encoding';

/** UTF-16 offset of each code-point offset of `text` (HF `tokenizers` reports offsets in code points). */
function codePointToUtf16(text: string): number[] | null {
  if (!/[\uD800-\uDFFF]/.test(text)) return null;
  const table: number[] = [];
  let i = 0;
  for (const char of text) {
    table.push(i);
    i += char.length;
  }
  table.push(i);
  return table;
}

/**
 * An HF `tokenizers` Encoding as a plain Encoding object whose fields are read from Rust on first use
 * (each field costs one native call per encoding, so callers that read only ids pay only for ids).
 * The fields are own enumerable getters: spreading, JSON.stringify and deep equality see plain values.
 * Offsets become UTF-16 offsets into `texts[sequenceId]`.
 */
export function fromRustEncoding(encoding: RustEncoding, texts: [string] | [string, string]): Encoding {
  let ids: number[] | undefined;
  let tokens: string[] | undefined;
  let offsets: Array<[number, number]> | undefined;
  let typeIds: number[] | undefined;
  let specialTokensMask: number[] | undefined;
  let wordIds: Array<number | null> | undefined;
  let sequenceIds: Array<number | null> | undefined;
  const readSequenceIds = (): Array<number | null> => (sequenceIds ??= encoding.getSequenceIds().map((id) => (id === undefined ? null : id)));
  const readOffsets = (): Array<[number, number]> => {
    const tables = texts.map(codePointToUtf16);
    const sequence = texts.length > 1 ? readSequenceIds() : null;
    return encoding.getOffsets().map((pair, i): [number, number] => {
      const table = tables[sequence?.[i] ?? 0];
      return table ? [table[pair[0]], table[pair[1]]] : [pair[0], pair[1]];
    });
  };
  return {
    get ids() {
      return (ids ??= encoding.getIds());
    },
    set ids(value) {
      ids = value;
    },
    get tokens() {
      return (tokens ??= encoding.getTokens());
    },
    set tokens(value) {
      tokens = value;
    },
    get offsets() {
      return (offsets ??= readOffsets());
    },
    set offsets(value) {
      offsets = value;
    },
    get typeIds() {
      return (typeIds ??= encoding.getTypeIds());
    },
    set typeIds(value) {
      typeIds = value;
    },
    get specialTokensMask() {
      return (specialTokensMask ??= encoding.getSpecialTokensMask());
    },
    set specialTokensMask(value) {
      specialTokensMask = value;
    },
    get wordIds() {
      return (wordIds ??= encoding.getWordIds().map((id) => (id === undefined ? null : id)));
    },
    set wordIds(value) {
      wordIds = value;
    },
    get sequenceIds() {
      return readSequenceIds();
    },
    set sequenceIds(value) {
      sequenceIds = value;
    },
  };
}
