import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJsonl } from '@koenbert/tensor-utils';
import { describeIfSharedData, runCli, SHARED_DATA } from './helpers';

describeIfSharedData(['tokenizers/bert-base-uncased', 'text/en/wikitext-2-valid.txt'], 'koenbert pretrain-mlm', () => {
  it('trains a tiny teacher from flags and writes an HF folder, a JSONL log and the held-out perplexity', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-pretrain-cli-'));
    const output = path.join(root, 'teacher-en');
    const { code, stdout, stderr } = await runCli([
      'pretrain-mlm',
      '--tokenizer', path.join(SHARED_DATA, 'tokenizers/bert-base-uncased'),
      '--data.files', path.join(SHARED_DATA, 'text/en/wikitext-2-valid.txt'),
      '--output', output,
      '--steps', '4', '--model.hiddenSize', '16', '--model.numLayers', '1',
      '--optim.batchSize', '4', '--data.maxLength', '32', '--eval.every', '4', '--eval.maxLines', '16', '--checkpoint.every', '2',
    ]);
    expect(stderr).not.toContain('koenbert: ');
    expect(code).toBe(0);
    expect(stdout).toContain(`pretrained model: ${output}`);
    for (const file of ['config.json', 'model.safetensors', 'vocab.txt']) expect(existsSync(path.join(output, file))).toBe(true);
    const records = (await readJsonl(path.join(output, 'pretrain-log.jsonl'))) as Array<{ event: string; step?: number; perplexity?: number }>;
    expect(records.filter((r) => r.event === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4]);
    const evals = records.filter((r) => r.event === 'eval');
    expect(evals.length).toBeGreaterThanOrEqual(2);
    expect(evals.every((r) => Number.isFinite(r.perplexity))).toBe(true);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('names the missing corpus file in one line and exits 1', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-pretrain-cli-'));
    const { code, stderr } = await runCli([
      'pretrain-mlm', '--tokenizer', path.join(SHARED_DATA, 'tokenizers/bert-base-uncased'),
      '--data.files', path.join(root, 'no-such.txt'), '--output', path.join(root, 'out'), '--steps', '2',
    ]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n').filter((line) => line.startsWith('koenbert: '))).toHaveLength(1);
    expect(stderr).toContain('no-such.txt');
    await fs.rm(root, { recursive: true, force: true });
  });
});
