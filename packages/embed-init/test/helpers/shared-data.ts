import { existsSync } from 'node:fs';
import path from 'node:path';

/** ../shared/data beside the repository root (real vocabularies for the tests). */
export const SHARED_DATA = path.resolve(__dirname, '../../../..', '../shared/data');
export const KOREAN_TOKENIZER = path.join(SHARED_DATA, 'tokenizers/kcelectra-base');
export const ENGLISH_TOKENIZER = path.join(SHARED_DATA, 'tokenizers/bert-base-uncased');

/** `describe` when ../shared/data is there; otherwise the block is skipped with a message saying why. */
export function describeIfSharedData(name: string, body: () => void): void {
  if (existsSync(KOREAN_TOKENIZER) && existsSync(ENGLISH_TOKENIZER)) {
    describe(name, body);
  } else {
    // eslint-disable-next-line no-console
    console.warn(`skipping "${name}": ${SHARED_DATA} (the shared test data) is not there`);
    describe.skip(name, body);
  }
}
