import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isKoenbertError } from '@koenbert/tensor-utils';
import { mergeVocabs, type MergeVocabsConfigInput } from '../src';
import { removeDir, tempDir, writeVocabDir } from './helpers/fixtures';

const KOREAN_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '가', '##나', 'KBS'];
const ENGLISH_TOKENS = ['[PAD]', '[unused0]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', '##s'];

function tokenizerJson(model: Record<string, unknown>): string {
  return JSON.stringify({
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel' },
    post_processor: null,
    decoder: null,
    model,
  });
}

describe('bad input: one-line KoenbertError naming the file, nothing written', () => {
  let root: string;
  let korean: string;
  let english: string;
  let output: string;

  beforeEach(async () => {
    root = await tempDir();
    korean = await writeVocabDir(root, 'korean', KOREAN_TOKENS, { do_lower_case: false });
    english = await writeVocabDir(root, 'english', ENGLISH_TOKENS, { do_lower_case: true });
    output = path.join(root, 'out', 'merged');
  });
  afterEach(async () => removeDir(root));

  /** Runs the stage, checks the error, and checks that no output (or temp folder) appeared. */
  async function expectFailure(config: Partial<MergeVocabsConfigInput>, code: string, file: string, message: RegExp): Promise<void> {
    const before = await fs.readdir(root);
    const error = await mergeVocabs({ korean, english, output, ...config }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isKoenbertError(error)).toBe(true);
    if (!isKoenbertError(error)) return;
    expect(error.code).toBe(code);
    expect(error.file).toBe(file);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
    expect(await fs.readdir(root)).toEqual(before);
  }

  test('the merge itself works on these folders (so the failures below come from the broken file)', async () => {
    const report = await mergeVocabs({ korean, english, output });
    expect(report.merged.vocabSize).toBe(10);
    expect(await fs.readdir(output)).toContain('tokenizer.json');
  });

  test('missing [UNK]', async () => {
    await fs.writeFile(path.join(korean, 'vocab.txt'), KOREAN_TOKENS.filter((t) => t !== '[UNK]').join('\n'));
    await expectFailure({}, 'MISSING_UNK', path.join(korean, 'vocab.txt'), /unknown token \[UNK\] is not in the vocab/);
  });

  test('missing [UNK] named by tokenizer_config.json', async () => {
    await fs.writeFile(path.join(english, 'tokenizer_config.json'), JSON.stringify({ unk_token: '<unk>' }));
    await expectFailure({}, 'MISSING_UNK', path.join(english, 'vocab.txt'), /<unk>/);
  });

  test('duplicate tokens in vocab.txt', async () => {
    await fs.writeFile(path.join(english, 'vocab.txt'), [...ENGLISH_TOKENS, 'the', 'x'].join('\n'));
    await expectFailure({}, 'DUPLICATE_TOKEN', path.join(english, 'vocab.txt'), /"the" appears on lines 7 and 9/);
  });

  test('an empty line in vocab.txt', async () => {
    await fs.writeFile(path.join(korean, 'vocab.txt'), ['[PAD]', '[UNK]', '', '[CLS]', '[SEP]'].join('\n'));
    await expectFailure({}, 'EMPTY_TOKEN', path.join(korean, 'vocab.txt'), /line 3 is empty/);
  });

  test.each([
    ['BPE', { type: 'BPE', vocab: { a: 0 }, merges: [] }],
    ['BPE', { vocab: { a: 0 }, merges: [] }],
    ['Unigram', { type: 'Unigram', vocab: [['a', -1]], unk_id: 0 }],
  ])('unsupported tokenizer model %s', async (kind, model) => {
    await fs.writeFile(path.join(english, 'tokenizer.json'), tokenizerJson(model));
    await expectFailure({}, 'UNSUPPORTED_TOKENIZER_MODEL', path.join(english, 'tokenizer.json'), new RegExp(`model type ${kind} is not supported`));
  });

  test('unreadable: vocab.txt is a folder', async () => {
    await fs.rm(path.join(korean, 'vocab.txt'));
    await fs.mkdir(path.join(korean, 'vocab.txt'));
    await expectFailure({}, 'UNREADABLE_FILE', path.join(korean, 'vocab.txt'), /is a directory/);
  });

  test('unreadable: vocab.txt is not UTF-8', async () => {
    await fs.writeFile(path.join(korean, 'vocab.txt'), Buffer.from([0x5b, 0x55, 0x4e, 0x4b, 0x5d, 0x0a, 0xff, 0xfe, 0x0a]));
    await expectFailure({}, 'UNREADABLE_FILE', path.join(korean, 'vocab.txt'), /not valid UTF-8 text \(invalid UTF-8 at byte 6\)$/);
  });

  test('unreadable: tokenizer.json is not JSON', async () => {
    await fs.writeFile(path.join(english, 'tokenizer.json'), '{"model": ');
    await expectFailure({}, 'INVALID_JSON', path.join(english, 'tokenizer.json'), /not valid JSON/);
  });

  test('unreadable: a text source for the invariants is missing', async () => {
    const missing = path.join(root, 'no-such-text.txt');
    await expectFailure({ englishText: [missing] }, 'UNREADABLE_FILE', missing, /file not found/);
  });

  test('a folder with no tokenizer files', async () => {
    const empty = path.join(root, 'empty');
    await fs.mkdir(empty);
    await expectFailure({ korean: empty }, 'MISSING_TOKENIZER_FILES', empty, /neither tokenizer.json nor vocab.txt/);
  });

  test('the output exists and overwrite is off: the old folder is left alone', async () => {
    await fs.mkdir(output, { recursive: true });
    await fs.writeFile(path.join(output, 'keep.txt'), 'old');
    await expectFailure({}, 'OUTPUT_EXISTS', output, /already exists/);
    expect(await fs.readFile(path.join(output, 'keep.txt'), 'utf8')).toBe('old');
  });

  test('unknown config keys are refused, naming the key', async () => {
    const error = await mergeVocabs({ korean, english, output, vocabSize: 3 } as MergeVocabsConfigInput).catch((e: unknown) => e);
    expect(isKoenbertError(error) && error.code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toMatch(/^vocabSize: /);
  });
});
