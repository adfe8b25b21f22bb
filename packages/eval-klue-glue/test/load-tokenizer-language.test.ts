import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bertNormalizer, bertPreTokenizer, Tokenizer, WordPiece } from 'tokenizers';
import { loadTokenizer } from '../src/lib/tokenize/load-tokenizer';

/**
 * A koenbert merged folder holds tokenizer.json (the merged rule) and tokenizer-ko.json / tokenizer-en.json (each
 * teacher's segmentation with merged ids). Here the three differ in how they cut "Playing" so the pick is visible.
 */
describe('loadTokenizer picks the task language file of a merged folder', () => {
  let dir: string;
  const vocab = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, Playing: 4, playing: 5, play: 6, '##ing': 7 };

  function save(file: string, p: { lowercase: boolean; vocab: Record<string, number> }): void {
    const tokenizer = new Tokenizer(WordPiece.init(p.vocab, { unkToken: '[UNK]' }));
    tokenizer.setNormalizer(bertNormalizer({ lowercase: p.lowercase, stripAccents: false }));
    tokenizer.setPreTokenizer(bertPreTokenizer());
    tokenizer.save(path.join(dir, file));
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-load-tokenizer-'));
    save('tokenizer.json', { lowercase: true, vocab });
    save('tokenizer-ko.json', { lowercase: false, vocab });
    const { playing: _dropped, ...english } = vocab;
    save('tokenizer-en.json', { lowercase: true, vocab: english });
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  test.each([
    [undefined, 'tokenizer.json', [5]],
    ['ko', 'tokenizer-ko.json', [4]],
    ['en', 'tokenizer-en.json', [6, 7]],
  ] as const)('language %s → %s', async (language, source, ids) => {
    const loaded = await loadTokenizer({ dir, maxLength: 16, language });
    expect(loaded.source).toBe(source);
    expect((await loaded.tokenizer.encode('Playing')).getIds()).toEqual(ids);
  });

  test('a folder without the language file falls back to tokenizer.json', async () => {
    await fs.rm(path.join(dir, 'tokenizer-en.json'));
    const loaded = await loadTokenizer({ dir, maxLength: 16, language: 'en' });
    expect(loaded.source).toBe('tokenizer.json');
  });
});
