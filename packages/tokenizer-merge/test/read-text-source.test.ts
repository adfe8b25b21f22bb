import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readTextSource, splitSourceColumn } from '../src';
import { removeDir, tempDir } from './helpers/fixtures';

describe('readTextSource', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir();
    await fs.writeFile(path.join(root, 'lines.txt'), '\uFEFFfirst line\n\n  second line  \r\nthird\n');
    await fs.writeFile(path.join(root, 'table.tsv'), 'id\tsentence\tlabel\n1\t첫 문장\t0\n2\t둘째 문장\t1\n3\t\t0\n');
    await fs.writeFile(path.join(root, 'table.csv'), 'Q,A,label\n"hello, world","say ""hi""",0\nplain,answer,1\n');
    await fs.writeFile(path.join(root, 'many.txt'), Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'));
  });
  afterAll(async () => removeDir(root));

  test('plain text: one sentence per non-empty line, trimmed', async () => {
    const sample = await readTextSource({ source: path.join(root, 'lines.txt') });
    expect(sample.lines).toEqual(['first line', 'second line', 'third']);
    expect(sample.totalLines).toBe(3);
  });

  test('TSV by header name (header skipped) and by index (no header handling)', async () => {
    expect((await readTextSource({ source: `${path.join(root, 'table.tsv')}#sentence` })).lines).toEqual(['첫 문장', '둘째 문장']);
    expect((await readTextSource({ source: `${path.join(root, 'table.tsv')}#2` })).lines).toEqual(['label', '0', '1', '0']);
  });

  test('CSV with quoted fields', async () => {
    expect((await readTextSource({ source: `${path.join(root, 'table.csv')}#Q` })).lines).toEqual(['hello, world', 'plain']);
    expect((await readTextSource({ source: `${path.join(root, 'table.csv')}#A` })).lines).toEqual(['say "hi"', 'answer']);
  });

  test('maxLines keeps lines spread evenly over the file', async () => {
    const sample = await readTextSource({ source: path.join(root, 'many.txt'), maxLines: 4 });
    expect(sample.lines).toEqual(['line 0', 'line 25', 'line 50', 'line 75']);
    expect(sample.totalLines).toBe(100);
  });

  test('an unknown column name is an error naming the file', async () => {
    await expect(readTextSource({ source: `${path.join(root, 'table.tsv')}#text` })).rejects.toThrow(
      `${path.join(root, 'table.tsv')}: no column named text (header: id, sentence, label)`,
    );
  });
});

describe('splitSourceColumn', () => {
  test.each([
    ['data/en.txt', { file: 'data/en.txt' }],
    ['data/ner.tsv#1', { file: 'data/ner.tsv', column: '1' }],
    ['data/wiki.jsonl.gz#text', { file: 'data/wiki.jsonl.gz', column: 'text' }],
    ['hf:wikimedia/wikipedia/20231101.ko#text', { file: 'hf:wikimedia/wikipedia/20231101.ko', column: 'text' }],
    ['a#b.tsv#sentence', { file: 'a#b.tsv', column: 'sentence' }],
    ['#drafts.txt', { file: '#drafts.txt' }],
    ['notes#2/a.txt', { file: 'notes#2/a.txt' }],
  ])('%s', (source, parts) => {
    expect(splitSourceColumn(source)).toEqual(parts);
  });
});
