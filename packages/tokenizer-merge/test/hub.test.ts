import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startLocalHubServer, type LocalHubServer } from '@koenbert/tensor-utils/testing';
import { loadWordPieceTokenizer, mergeVocabs } from '../src';
import { removeDir, tempDir } from './helpers/fixtures';

const KOREAN_VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '한국', '##어', 'KBS'].join('\n');
const ENGLISH_VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'english', '##s'].join('\n');

describe('tokenizers by Hub id (local Hub look-alike on 127.0.0.1)', () => {
  let hub: LocalHubServer;
  let root: string;
  beforeAll(async () => {
    jest.spyOn(console, 'debug').mockImplementation(() => undefined); // @huggingface/hub logs each download
    hub = await startLocalHubServer({
      repos: {
        'test-org/korean-tiny': { 'vocab.txt': KOREAN_VOCAB, 'tokenizer_config.json': JSON.stringify({ do_lower_case: false }), 'config.json': '{}' },
        'test-org/english-tiny': { 'vocab.txt': ENGLISH_VOCAB },
      },
    });
    root = await tempDir();
  });
  afterAll(async () => {
    await hub.close();
    await removeDir(root);
  });

  test('loadWordPieceTokenizer fetches the tokenizer files into the cache and reads them', async () => {
    const cacheDir = path.join(root, 'cache-1');
    const tokenizer = await loadWordPieceTokenizer('test-org/korean-tiny', { hubUrl: hub.url, cacheDir });
    expect(tokenizer.vocab.length).toBe(8);
    expect(tokenizer.tokenize('한국어 KBS')).toEqual(['한국', '##어', 'KBS']);
    const downloads = hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/resolve/')).map((r) => path.basename(r.path));
    expect(downloads).toEqual(expect.arrayContaining(['vocab.txt', 'tokenizer_config.json']));
    expect(downloads).not.toContain('config.json');
  });

  test('mergeVocabs accepts Hub ids for both tokenizers', async () => {
    const output = path.join(root, 'merged');
    const report = await mergeVocabs({ korean: 'test-org/korean-tiny', english: 'test-org/english-tiny', output, hubUrl: hub.url, cacheDir: path.join(root, 'cache-2') });
    expect(report.merged.vocabSize).toBe(11);
    expect((await fs.readFile(path.join(output, 'vocab.txt'), 'utf8')).split('\n').slice(8, 11)).toEqual(['the', 'english', '##s']);
  });
});
