import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bertNormalizerSpec, type TokenizerSpec } from '../../src';

/** A fresh temp folder for one test (removed by the caller with removeDir). */
export async function tempDir(prefix = 'koenbert-tokenizer-merge-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Writes vocab.txt (and tokenizer_config.json when given) into `dir/name`; returns that folder. */
export async function writeVocabDir(root: string, name: string, tokens: string[], config?: Record<string, unknown>): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'vocab.txt'), `${tokens.join('\n')}\n`);
  if (config) await fs.writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return dir;
}

/** A small BERT-style spec for unit tests. */
export function smallSpec(vocab: string[], options: { lowercase?: boolean; unk?: string; cls?: string; sep?: string } = {}): TokenizerSpec {
  const unk = options.unk ?? '[UNK]';
  const cls = options.cls ?? '[CLS]';
  const sep = options.sep ?? '[SEP]';
  const present = new Set(vocab);
  return {
    vocab,
    normalizer: bertNormalizerSpec({ lowercase: options.lowercase ?? true }),
    specialTokens: { unk, cls, sep, pad: present.has('[PAD]') ? '[PAD]' : null, mask: present.has('[MASK]') ? '[MASK]' : null },
    addedTokens: [unk, cls, sep, ...(['[PAD]', '[MASK]'].filter((t) => present.has(t)))],
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    modelMaxLength: null,
  };
}
