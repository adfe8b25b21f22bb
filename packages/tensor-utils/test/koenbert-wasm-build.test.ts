import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KOENBERT_WASM_BASE64, KOENBERT_WASM_SOURCES_SHA256 } from '../src/lib/wasm-kernels/koenbert-wasm/koenbert-wasm.generated';

// The compiled kernels are committed (base64 in koenbert-wasm.generated.ts) so that neither users nor CI need a
// toolchain; these checks keep them honest: built from the csrc in this checkout, and safe to run on tfjs's heap.

const csrc = path.resolve(__dirname, '../csrc');

/** Same hash as tools/build-wasm-kernels.mjs: name, NUL, content, NUL for each .c/.h file in name order. */
function sourcesSha256(): string {
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(csrc).filter((file) => /\.[ch]$/.test(file)).sort()) {
    hash.update(`${name}\0${fs.readFileSync(path.join(csrc, name), 'utf8')}\0`);
  }
  return hash.digest('hex');
}

/** [id, payload] of each section of a wasm binary. */
function sections(bytes: Uint8Array): Array<[number, Uint8Array]> {
  const result: Array<[number, Uint8Array]> = [];
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset++];
    let size = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[offset++];
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
    result.push([id, bytes.subarray(offset, offset + size)]);
    offset += size;
  }
  return result;
}

const DATA_SECTION = 11;
const START_SECTION = 8;
const IMPORT_SECTION = 2;

describe('the compiled koenbert wasm kernels', () => {
  it('were built from csrc as it is in this checkout (else: node tools/build-wasm-kernels.mjs)', () => {
    expect(KOENBERT_WASM_SOURCES_SHA256).toBe(sourcesSha256());
  });

  it.each(Object.entries(KOENBERT_WASM_BASE64))('%s: wasm, one import (env.memory, shared as its name says), no data or start section', (name, base64) => {
    const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
    const ids = sections(bytes).map(([id]) => id);
    expect(ids).not.toContain(DATA_SECTION);
    expect(ids).not.toContain(START_SECTION);
    const imports = sections(bytes).find(([id]) => id === IMPORT_SECTION)?.[1];
    // count 1, "env", "memory", kind memory (2), then the limits flag: bit 0 = has maximum, bit 1 = shared.
    expect(Array.from(imports!.subarray(0, 13))).toEqual([1, 3, ...Buffer.from('env'), 6, ...Buffer.from('memory'), 2]);
    const sharedFlag = (imports![13] & 2) !== 0;
    expect(sharedFlag).toBe(name.startsWith('shared'));
  });
});
