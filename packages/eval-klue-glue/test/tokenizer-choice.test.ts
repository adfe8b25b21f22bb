import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '@koenbert/tensor-utils';
import { evaluate, getTask, linearProbe } from '../src';
import { tokenizerLanguage } from '../src/lib/tokenize/tokenizer-choice';
import { describeIfSharedData, SHARED_DATA } from './shared-data';
import { makeTinyBert } from './tiny-model';

describe('tokenizerLanguage', () => {
  it.each([
    ['task', 'klue-nli', 'ko'],
    ['task', 'glue-sst2', 'en'],
    ['merged', 'klue-nli', undefined],
    ['ko', 'glue-stsb', 'ko'],
    ['en', 'klue-ynat', 'en'],
  ] as const)('%s on %s → %s', (choice, task, expected) => {
    expect(tokenizerLanguage(choice, getTask(task))).toBe(expected);
  });
});

/** An SST-2-format task of short English sentences (train and dev). */
function writeTask(dir: string): void {
  const folder = path.join(dir, 'glue', 'sst2');
  mkdirSync(folder, { recursive: true });
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i % 2 ? 'the music' : 'the water'} is here\t${i % 2}`);
  writeFileSync(path.join(folder, 'train.tsv'), ['sentence\tlabel', ...rows(40)].join('\n'));
  writeFileSync(path.join(folder, 'dev.tsv'), ['sentence\tlabel', ...rows(20)].join('\n'));
}

describeIfSharedData(['tokenizers/bert-base-uncased/tokenizer.json'], 'per-split tokenizer files of a merged folder', () => {
  let model: string;
  let dataDir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    model = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'tokenizers/bert-base-uncased'), hidden: 32 });
    // stand-ins for merge-vocab's per-language files: which one is read is what these tests check
    for (const lang of ['ko', 'en']) copyFileSync(path.join(model, 'tokenizer.json'), path.join(model, `tokenizer-${lang}.json`));
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tokenizer-choice-'));
    writeTask(dataDir);
  });

  it('eval: the task language by default, another file for the dev split with devTokenizer', async () => {
    const common = { model, task: 'glue-sst2' as const, dataDir, epochs: 1, batchSize: 8, maxLength: 16, checkpoint: 'last' as const };
    expect((await evaluate(common)).tokenizer).toBe('tokenizer-en.json');
    expect((await evaluate({ ...common, tokenizer: 'merged' })).tokenizer).toBe('tokenizer.json');
    expect((await evaluate({ ...common, devTokenizer: 'ko' })).tokenizer).toBe('tokenizer-en.json (train), tokenizer-ko.json (dev)');
  });

  it('linearProbe: the same choices', async () => {
    const common = { model, task: 'glue-sst2' as const, dataDir, maxLength: 16 };
    expect((await linearProbe(common)).tokenizer).toBe('tokenizer-en.json');
    expect((await linearProbe({ ...common, devTokenizer: 'ko' })).tokenizer).toBe('tokenizer-en.json (train), tokenizer-ko.json (dev)');
    // in cv mode the dev pool is the training data too: one tokenizer
    expect((await linearProbe({ ...common, cv: 2, devTokenizer: 'ko' })).tokenizer).toBe('tokenizer-en.json');
  });
});
