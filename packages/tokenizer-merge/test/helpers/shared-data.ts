import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, SHARED_DATA, sharedPath, describeIfSharedData as describeIfShared } from '../../../../tools/test-support/shared-data';

export { REPO_ROOT, SHARED_DATA, sharedPath };

export const hasSharedData = existsSync(path.join(SHARED_DATA, 'tokenizers', 'kcelectra-base', 'vocab.txt'));

/** describe() when the real tokenizers are in ../shared/data; otherwise skipped with a message saying why. */
export function describeIfSharedData(name: string, body: () => void): void {
  describeIfShared('tokenizers/kcelectra-base/vocab.txt', name, body);
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
