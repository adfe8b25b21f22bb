import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startLocalHubServer } from '@koenbert/tensor-utils/testing';
import { listCorpusFiles } from '../src/lib/data/corpus-files';
import { readCorpusRecords } from '../src/lib/data/read-corpus-records';
import { removeDir, tempDir } from './helpers/temp-dir';

async function collect(iterator: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterator) out.push(item);
  return out;
}

async function parquetBytes(rows: Array<{ text: string; id: number }>, rowGroupSize: number): Promise<Buffer> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: rows.map((r) => r.id), type: 'INT32' },
      { name: 'text', data: rows.map((r) => r.text), type: 'STRING' },
    ],
    rowGroupSize,
  });
  return Buffer.from(buffer);
}

describe('listCorpusFiles and readCorpusRecords', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => removeDir(dir));

  it('reads .txt, .txt.gz, .jsonl (field), .tsv (header column) records with stable indices and a start offset', async () => {
    await fs.mkdir(path.join(dir, 'corpus', 'nested'), { recursive: true });
    await fs.writeFile(path.join(dir, 'corpus', 'a.txt'), 'first line\n\n  second line  \r\nthird\n');
    await fs.writeFile(path.join(dir, 'corpus', 'nested', 'b.txt.gz'), gzipSync('gz one\ngz two\n'));
    await fs.writeFile(path.join(dir, 'corpus', 'c.jsonl'), '{"body":"json one"}\n"plain string"\n{"body":"json two"}\n');
    await fs.writeFile(path.join(dir, 'corpus', 'ignored.md'), 'not a corpus file\n');
    await fs.writeFile(path.join(dir, 'd.tsv'), 'id\tsentence\n1\t탭 하나\n2\t탭 둘\n');

    const files = await listCorpusFiles({ source: path.join(dir, 'corpus') });
    expect(files.map((f) => [path.relative(dir, f.path), f.format, f.gzip])).toEqual([
      ['corpus/a.txt', 'text', false],
      ['corpus/c.jsonl', 'jsonl', false],
      ['corpus/nested/b.txt.gz', 'text', true],
    ]);
    expect(await collect(readCorpusRecords({ file: files[0] }))).toEqual(['first line', '', 'second line', 'third']);
    expect(await collect(readCorpusRecords({ file: files[0], start: 2 }))).toEqual(['second line', 'third']);
    expect(await collect(readCorpusRecords({ file: files[2] }))).toEqual(['gz one', 'gz two']);

    const [jsonl] = await listCorpusFiles({ source: `${path.join(dir, 'corpus', 'c.jsonl')}#body` });
    expect(await collect(readCorpusRecords({ file: jsonl, start: 1 }))).toEqual(['plain string', 'json two']);
    const [tsv] = await listCorpusFiles({ source: `${path.join(dir, 'd.tsv')}#sentence` });
    expect(await collect(readCorpusRecords({ file: tsv }))).toEqual(['', '탭 하나', '탭 둘']);
  });

  it('names the file and line of a bad JSONL record, and a missing source', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    await fs.writeFile(bad, '{"text":"ok"}\n{"other":1}\n');
    const [file] = await listCorpusFiles({ source: bad });
    await expect(collect(readCorpusRecords({ file }))).rejects.toThrow(/bad\.jsonl: the line at byte 14 has no string field "text"/);
    await expect(listCorpusFiles({ source: path.join(dir, 'nope.txt') })).rejects.toThrow(/corpus file or folder not found/);
    await expect(listCorpusFiles({ source: path.join(dir, 'corpus', 'ignored.md') })).rejects.toThrow(/unsupported corpus file/);
  });

  it('reads a local parquet file row group by row group from any start row', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({ id: i, text: i % 7 === 3 ? '' : `row ${i}` }));
    const file = path.join(dir, 'rows.parquet');
    await fs.writeFile(file, await parquetBytes(rows, 10));
    const [corpusFile] = await listCorpusFiles({ source: file });
    expect(corpusFile.format).toBe('parquet');
    expect(await collect(readCorpusRecords({ file: corpusFile }))).toEqual(rows.map((r) => r.text));
    expect(await collect(readCorpusRecords({ file: corpusFile, start: 13 }))).toEqual(rows.slice(13).map((r) => r.text));
    const [wrongColumn] = await listCorpusFiles({ source: `${file}#body` });
    await expect(collect(readCorpusRecords({ file: wrongColumn }))).rejects.toThrow(/no column "body" \(columns: id, text/);
  });

  it('lists a Hub dataset’s parquet shards and downloads each when it is read (local Hub look-alike)', async () => {
    const shard = (from: number) => parquetBytes(Array.from({ length: 4 }, (_, i) => ({ id: from + i, text: `doc ${from + i}` })), 3);
    const server = await startLocalHubServer({
      repoType: 'dataset',
      repos: {
        'someone/wiki': {
          'README.md': '# wiki',
          'ko/train-00000.parquet': await shard(0),
          'ko/train-00001.parquet': await shard(4),
          'en/train-00000.parquet': await shard(100),
        },
      },
    });
    try {
      const hub = { hubUrl: server.url, cacheDir: path.join(dir, 'hub-cache') };
      const files = await listCorpusFiles({ source: 'hf:someone/wiki/ko', hub });
      expect(files.map((f) => [f.repo, f.path])).toEqual([
        ['someone/wiki', 'ko/train-00000.parquet'],
        ['someone/wiki', 'ko/train-00001.parquet'],
      ]);
      const downloadsBefore = server.requests.filter((r) => r.method === 'GET' && r.path.includes('/resolve/')).length;
      expect(downloadsBefore).toBe(0);
      expect(await collect(readCorpusRecords({ file: files[1], start: 1, hub }))).toEqual(['doc 5', 'doc 6', 'doc 7']);
      await expect(listCorpusFiles({ source: 'hf:someone', hub })).rejects.toThrow(/expected hf:<owner>\/<dataset>/);
    } finally {
      await server.close();
    }
  });
});
