import { KoenbertError } from './errors';

const fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Index of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF, no truncated sequence), or -1 when all of `bytes` is valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i; // truncated sequence
    let code = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes UTF-8 text and refuses malformed bytes with one line naming the file and the absolute byte
 * offset (`offset` is where `bytes` starts in the file, or in the decompressed text of a .gz file).
 * One rule for every text input: corpora, vocab files, tokenizer files.
 */
export function decodeUtf8Strict(params: { bytes: Uint8Array; file: string; offset?: number; what?: string }): string {
  try {
    return fatal.decode(params.bytes);
  } catch (error) {
    const at = (params.offset ?? 0) + Math.max(0, firstInvalidUtf8(params.bytes));
    throw new KoenbertError({
      code: 'INVALID_UTF8',
      file: params.file,
      message: `invalid UTF-8 at byte ${at}${params.what ? ` ${params.what}` : ''} (the file must be UTF-8 text)`,
      cause: error,
    });
  }
}
