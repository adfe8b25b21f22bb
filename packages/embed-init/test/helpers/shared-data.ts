import path from 'node:path';
import { SHARED_DATA, describeIfSharedData as describeIfShared } from '../../../../tools/test-support/shared-data';

export { SHARED_DATA };
export const KOREAN_TOKENIZER = path.join(SHARED_DATA, 'tokenizers/kcelectra-base');
export const ENGLISH_TOKENIZER = path.join(SHARED_DATA, 'tokenizers/bert-base-uncased');

/** `describe` when both real vocabularies are in ../shared/data; otherwise skipped with a message. */
export function describeIfSharedData(name: string, body: () => void): void {
  describeIfShared(['tokenizers/kcelectra-base', 'tokenizers/bert-base-uncased'], name, body);
}
