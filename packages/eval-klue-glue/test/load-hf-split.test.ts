import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalHubServer, type LocalHubServer } from '@koenbert/tensor-utils/testing';
import type { NerExample, SentenceExample } from '../src/lib/tasks/examples';
import { selectSplitShards } from '../src/lib/tasks/hf/load-hf-split';
import { loadSplit } from '../src/lib/tasks/load-split';
import { getTask, type TaskName } from '../src/lib/tasks/task-registry';
import { describeIfSharedData, SHARED_DATA } from './shared-data';

// Parquet files shaped like the Hub's klue/klue and nyu-mll/glue (made by tools/fixtures/make-hf-parquet-fixtures.mjs
// from the first 6 rows of the real dev files).
const FIXTURES = path.join(__dirname, 'fixtures', 'hf');
const shard = (dataset: string, config: string): Buffer => readFileSync(path.join(FIXTURES, dataset, config, 'validation-00000-of-00001.parquet'));

describe('selectSplitShards', () => {
  it.each([
    [['ynat/train-00000-of-00002.parquet', 'ynat/train-00001-of-00002.parquet', 'ynat/validation-00000-of-00001.parquet', 'sts/train-00000-of-00001.parquet'], 'ynat', 'train', ['ynat/train-00000-of-00002.parquet', 'ynat/train-00001-of-00002.parquet']],
    [['mrpc/validation/0000.parquet', 'mrpc/test/0000.parquet', 'mrpc/README.md'], 'mrpc', 'validation', ['mrpc/validation/0000.parquet']],
    [['sst2/validation.parquet', 'sst2/validation_matched-0.parquet'], 'sst2', 'validation', ['sst2/validation.parquet']],
    [['ner/train-00000-of-00001.parquet'], 'ner', 'validation', []],
  ])('%j %s/%s', (paths, config, split, expected) => {
    expect(selectSplitShards({ paths, config, split })).toEqual(expected);
  });
});

describeIfSharedData(['klue', 'glue'], 'Hugging Face datasets versions through the Hub client', () => {
  let server: LocalHubServer;
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'eval-hf-cache-'));

  beforeAll(async () => {
    // @huggingface/hub logs each download with console.debug.
    jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    server = await startLocalHubServer({
      repoType: 'dataset',
      repos: {
        'klue/klue': {
          'README.md': '# klue (local copy)\n',
          'ynat/validation-00000-of-00001.parquet': shard('klue', 'ynat'),
          'sts/validation-00000-of-00001.parquet': shard('klue', 'sts'),
          'ner/validation-00000-of-00001.parquet': shard('klue', 'ner'),
        },
        'nyu-mll/glue': { 'mrpc/validation-00000-of-00001.parquet': shard('glue', 'mrpc') },
      },
    });
  });
  afterAll(async () => server.close());

  const hub = () => ({ source: 'hub' as const, hubUrl: server.url, cacheDir });
  const official = async (task: TaskName) => (await loadSplit({ task: getTask(task), split: 'dev', dataDir: SHARED_DATA })).slice(0, 6);

  it.each(['klue-ynat', 'klue-sts', 'glue-mrpc'] as const)('%s validation equals the first rows of the official dev file', async (task) => {
    const fromHub = (await loadSplit({ task: getTask(task), split: 'dev', ...hub() })) as SentenceExample[];
    const fromFile = (await official(task)) as SentenceExample[];
    expect(fromHub).toHaveLength(6);
    // GLUE's idx differs from the MSR ids, so compare everything but the id there.
    const fields = ({ textA, textB, label, binaryLabel }: SentenceExample) => ({ textA, textB, label, binaryLabel });
    expect(fromHub.map(fields)).toEqual(fromFile.map(fields));
    if (task === 'klue-sts') expect(fromHub[0]).toMatchObject({ label: 4.857142857142857, binaryLabel: 1 });
    if (task !== 'glue-mrpc') expect(fromHub.map((e) => e.id)).toEqual(fromFile.map((e) => e.id));
  });

  it('klue-ner validation: characters and tags equal the official tsv', async () => {
    const fromHub = (await loadSplit({ task: getTask('klue-ner'), split: 'dev', ...hub() })) as NerExample[];
    const fromFile = (await official('klue-ner')) as NerExample[];
    expect(fromHub.map((e) => [e.chars, e.labels])).toEqual(fromFile.map((e) => [e.chars, e.labels]));
  });

  it('downloads through the Hub API into the HF cache and reuses it offline', async () => {
    expect(server.requests.some((r) => r.path.startsWith('/api/datasets/klue/klue/tree/'))).toBe(true);
    expect(server.requests.some((r) => r.path.startsWith('/datasets/klue/klue/resolve/') && r.path.endsWith('ynat/validation-00000-of-00001.parquet'))).toBe(true);
    const before = server.requests.length;
    const offline = await loadSplit({ task: getTask('klue-ynat'), split: 'dev', source: 'hub', cacheDir, offline: true, hubUrl: server.url });
    expect(offline).toHaveLength(6);
    expect(server.requests.length).toBe(before);
  });

  it('reads a local folder laid out like the dataset repo', async () => {
    const examples = await loadSplit({ task: getTask('klue-ynat'), split: 'dev', source: 'hub', hubRepo: path.join(FIXTURES, 'klue') });
    expect(examples).toHaveLength(6);
  });

  it('says which split has no shards', async () => {
    await expect(loadSplit({ task: getTask('klue-ynat'), split: 'train', ...hub() })).rejects.toThrow(
      /klue\/klue\/ynat: no parquet shards for split "train" \(expected ynat\/train-\*\.parquet\)$/,
    );
  });
});
