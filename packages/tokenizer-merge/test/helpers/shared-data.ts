import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (packages/tokenizer-merge/test/helpers → four levels up). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** ../shared/data beside the checkout: real tokenizers and text, never copied into the repository. */
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');

export const hasSharedData = existsSync(path.join(SHARED_DATA, 'tokenizers', 'kcelectra-base', 'vocab.txt'));

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

/** describe() when ../shared/data is present; otherwise the block is skipped with a message saying why. */
export function describeIfSharedData(name: string, body: () => void): void {
  if (hasSharedData) {
    describe(name, body);
  } else {
    describe.skip(`${name} (skipped: ${SHARED_DATA} is absent)`, body);
    // eslint-disable-next-line no-console
    console.log(`[tokenizer-merge] skipping "${name}": real data not found at ${SHARED_DATA}`);
  }
}

export const KOREAN_DIR = sharedPath('tokenizers', 'kcelectra-base');
export const ENGLISH_DIR = sharedPath('tokenizers', 'bert-base-uncased');

/** Real Korean and English text sources (see ../shared/README.md), in readTextSource syntax. */
export const KOREAN_SOURCES = [
  sharedPath('text', 'ko', 'klue-ner-train-sentences.tsv#1'),
  sharedPath('text', 'ko', 'kocohub-unlabeled-comments-5.txt'),
  sharedPath('text', 'ko', '3i4k-utterances.txt#1'),
  sharedPath('text', 'ko', 'parakqc-v1.txt#2'),
  sharedPath('kor-nlu', 'korsts-dev.tsv#sentence1'),
  sharedPath('kor-nlu', 'xnli.dev.ko.tsv#sentence1'),
  sharedPath('text', 'ko', 'kolaw-constitution.txt'),
];
export const ENGLISH_SOURCES = [
  sharedPath('text', 'en', 'wikitext-2-valid.txt'),
  sharedPath('text', 'en', 'gutenberg', '1342.txt'),
  sharedPath('text', 'en', 'tinyshakespeare.txt'),
  sharedPath('glue', 'sst2', 'dev.tsv#sentence'),
  sharedPath('glue', 'qnli', 'dev.tsv#question'),
  sharedPath('glue', 'stsb', 'dev.tsv#sentence1'),
];
