import { KoenbertError } from './errors';
import { decodeUtf8Strict, firstInvalidUtf8 } from './utf8';

describe('strict UTF-8', () => {
  it.each([
    ['ascii', [0x61, 0x62], -1],
    ['Korean', [...Buffer.from('안녕', 'utf8')], -1],
    ['4-byte emoji', [...Buffer.from('a😀', 'utf8')], -1],
    ['lone continuation byte', [0x61, 0x80], 1],
    ['truncated 3-byte sequence at the end', [0x61, 0xec, 0x95], 1],
    ['sequence cut by ASCII', [0xec, 0x41, 0x95], 0],
    ['overlong slash', [0x61, 0x61, 0xc0, 0xaf], 2],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf], 0],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80], 0],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['0xff', [0x20, 0xff], 1],
  ])('%s', (_, bytes, expected) => {
    const data = Uint8Array.from(bytes as number[]);
    expect(firstInvalidUtf8(data)).toBe(expected);
    // agrees with the platform's fatal decoder on valid/invalid
    let platformValid = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      platformValid = false;
    }
    expect(platformValid).toBe(expected === -1);
  });

  it('names the file and the absolute byte offset in one line', () => {
    const bytes = Buffer.concat([Buffer.from('좋은 줄\n', 'utf8'), Buffer.from([0xff])]);
    expect(decodeUtf8Strict({ bytes: Buffer.from('안녕'), file: 'a.txt' })).toBe('안녕');
    let error: unknown;
    try {
      decodeUtf8Strict({ bytes, file: 'corpus/ko.txt', offset: 1000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KoenbertError);
    expect((error as KoenbertError).code).toBe('INVALID_UTF8');
    expect((error as Error).message).toBe(`corpus/ko.txt: invalid UTF-8 at byte ${1000 + bytes.length - 1} (the file must be UTF-8 text)`);
  });
});
