import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fromFloat32, initBackend, readSafetensors, toFloat32, writeSafetensors, type TensorRecord } from '@koenbert/tensor-utils';
import { startLocalHubServer } from '@koenbert/tensor-utils/testing';
import { BertModel, parseBertConfig, type BertConfig } from '@koenbert/bert';
import { TINY_BERT, describeIfSharedData } from './helpers';

const CONFIG: BertConfig = parseBertConfig({
  vocab_size: 40,
  hidden_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 12,
  max_position_embeddings: 16,
});

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  jest.spyOn(console, 'debug').mockImplementation(() => undefined); // @huggingface/hub logs each download
});
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-loading-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true });
});

async function caught(promise: Promise<unknown>): Promise<Error & { code?: string; file?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; file?: string };
  }
  throw new Error('expected a rejection');
}

async function saved(task: 'masked-lm' | 'sequence-classification' | 'base', numLabels?: number): Promise<BertModel> {
  const model = BertModel.create({ config: CONFIG, task, numLabels, seed: 9 });
  await model.savePretrained(dir);
  return model;
}

function sameValues(a: BertModel, b: BertModel): void {
  expect([...b.params.keys()]).toEqual([...a.params.keys()]);
  for (const [name, variable] of a.params) expect(Array.from(b.params.get(name)!.dataSync())).toEqual(Array.from(variable.dataSync()));
}

describe('malformed checkpoints: one-line errors naming the file', () => {
  it('a weight whose shape disagrees with config.json', async () => {
    (await saved('base')).dispose();
    const configFile = path.join(dir, 'config.json');
    await fs.writeFile(configFile, JSON.stringify({ ...JSON.parse(await fs.readFile(configFile, 'utf8')), intermediate_size: 10 }));
    const error = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(error.code).toBe('WEIGHT_SHAPE_MISMATCH');
    expect(error.file).toBe(path.join(dir, 'model.safetensors'));
    expect(error.message).toBe(
      `${path.join(dir, 'model.safetensors')}: tensor "encoder.layer.0.intermediate.dense.weight" has shape [12, 8] but ${configFile} expects [10, 8]`,
    );
  });

  it('a classifier of another size than numLabels', async () => {
    (await saved('sequence-classification', 3)).dispose();
    const error = await caught(BertModel.fromPretrained(dir, { task: 'sequence-classification', numLabels: 2 }));
    expect(error.code).toBe('WEIGHT_SHAPE_MISMATCH');
    expect(error.message).toContain('tensor "classifier.weight" has shape [3, 8] but numLabels = 2 expects [2, 8]');
  });

  it('no weight file, no config.json, or no BERT tensors at all', async () => {
    (await saved('base')).dispose();
    await fs.rename(path.join(dir, 'model.safetensors'), path.join(dir, 'weights.bin'));
    const noWeights = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(noWeights).toMatchObject({ code: 'MODEL_WEIGHTS_NOT_FOUND', file: dir });
    expect(noWeights.message).toContain('expected one of model.safetensors, model.safetensors.index.json, pytorch_model.bin');

    await writeSafetensors(path.join(dir, 'model.safetensors'), new Map([['roberta.embeddings.word_embeddings.weight', fromFloat32({ data: new Float32Array(320), shape: [40, 8] })]]));
    const notBert = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(notBert).toMatchObject({ code: 'CHECKPOINT_INVALID', file: path.join(dir, 'model.safetensors') });
    expect(notBert.message).toContain('no BERT encoder weights found');

    await fs.rm(path.join(dir, 'config.json'));
    const noConfig = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(noConfig.message).toContain('config.json');
    expect(noConfig.message).not.toContain('\n');
  });

  it('a truncated safetensors file (error from the reader, naming the file)', async () => {
    (await saved('base')).dispose();
    const file = path.join(dir, 'model.safetensors');
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 100));
    const error = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(error.message.startsWith(file)).toBe(true);
  });

  it('a weight stored as an integer tensor', async () => {
    const model = await saved('base');
    const file = path.join(dir, 'model.safetensors');
    const { tensors } = await readSafetensors(file);
    tensors.set('embeddings.LayerNorm.bias', { dtype: 'I32', shape: [8], data: new Int32Array(8) });
    await writeSafetensors(file, tensors, { format: 'pt' });
    const error = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(error).toMatchObject({ code: 'WEIGHT_DTYPE_INVALID', file });
    model.dispose();
  });
});

describe('checkpoints from other tools', () => {
  it("legacy names: no 'bert.' prefix, LayerNorm gamma/beta, decoder weight and bias, F16, extra heads, position_ids", async () => {
    const model = await saved('masked-lm');
    const file = path.join(dir, 'model.safetensors');
    const { tensors } = await readSafetensors(file);
    const legacy = new Map<string, TensorRecord>();
    legacy.set('embeddings.position_ids', { dtype: 'I64', shape: [1, 16], data: BigInt64Array.from({ length: 16 }, (_, i) => BigInt(i)) });
    for (const [name, record] of tensors) {
      if (name === 'cls.predictions.bias') continue;
      const renamed = name.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
      legacy.set(renamed, record);
    }
    legacy.set('cls.predictions.decoder.weight', tensors.get('bert.embeddings.word_embeddings.weight')!);
    legacy.set('cls.predictions.decoder.bias', tensors.get('cls.predictions.bias')!);
    legacy.set('cls.seq_relationship.weight', fromFloat32({ data: new Float32Array(16), shape: [2, 8] }));
    // an F16 tensor is widened on load
    const pooled = tensors.get('bert.encoder.layer.1.output.dense.weight')!;
    legacy.set('encoder.layer.1.output.dense.weight', fromFloat32({ data: toFloat32(pooled), shape: pooled.shape, dtype: 'F16' }));
    await writeSafetensors(file, legacy, { format: 'pt' });

    const loaded = await BertModel.fromPretrained(dir, { task: 'masked-lm' });
    expect(loaded.loadReport!.missing).toEqual([]);
    expect(loaded.loadReport!.unexpected).toEqual(['cls.seq_relationship.weight']);
    expect(loaded.loadReport!.notes.sort()).toEqual([
      "added the 'bert.' prefix",
      'cls.predictions.bias taken from cls.predictions.decoder.bias',
      'cls.predictions.decoder.weight is tied to the word embeddings',
      'renamed LayerNorm gamma/beta to weight/bias',
    ]);
    const name = 'bert.encoder.layer.1.output.dense.weight';
    const f16 = toFloat32(fromFloat32({ data: toFloat32(pooled), shape: pooled.shape, dtype: 'F16' }));
    expect(Array.from(loaded.params.get(name)!.dataSync())).toEqual(Array.from(f16));
    loaded.params.get(name)!.assign(model.params.get(name)!);
    sameValues(model, loaded);
    model.dispose();
    loaded.dispose();
  });

  it('a sharded checkpoint (model.safetensors.index.json)', async () => {
    const model = await saved('base');
    const { tensors } = await readSafetensors(path.join(dir, 'model.safetensors'));
    await fs.rm(path.join(dir, 'model.safetensors'));
    const names = [...tensors.keys()];
    const shards = [names.slice(0, 10), names.slice(10)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const shardFile = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(path.join(dir, shardFile), new Map(shard.map((n) => [n, tensors.get(n)!])), { format: 'pt' });
      for (const n of shard) weightMap[n] = shardFile;
    }
    await fs.writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const loaded = await BertModel.fromPretrained(dir, { task: 'base' });
    sameValues(model, loaded);
    model.dispose();
    loaded.dispose();
  });
});

describe('from the Hub (a look-alike on 127.0.0.1)', () => {
  it('downloads config.json and the weights only, into the HF cache, and loads them', async () => {
    const model = await saved('sequence-classification');
    const repo = {
      'config.json': await fs.readFile(path.join(dir, 'config.json')),
      'model.safetensors': await fs.readFile(path.join(dir, 'model.safetensors')),
      'pytorch_model.bin': Buffer.from('never downloaded: safetensors is preferred'),
      'tf_model.h5': Buffer.alloc(1000),
    };
    const server = await startLocalHubServer({ repos: { 'koenbert-test/tiny-bert': repo, 'koenbert-test/no-weights': { 'config.json': repo['config.json'] } } });
    try {
      const cacheDir = path.join(dir, 'cache');
      const loaded = await BertModel.fromPretrained('koenbert-test/tiny-bert', { task: 'sequence-classification', hubUrl: server.url, cacheDir });
      sameValues(model, loaded);
      expect(loaded.loadReport!.file.startsWith(cacheDir)).toBe(true);
      const fetched = server.requests.filter((r) => r.path.includes('/resolve/')).map((r) => path.basename(r.path));
      expect(new Set(fetched)).toEqual(new Set(['config.json', 'model.safetensors']));
      loaded.dispose();

      const error = await caught(BertModel.fromPretrained('koenbert-test/no-weights', { task: 'base', hubUrl: server.url, cacheDir }));
      expect(error).toMatchObject({ code: 'MODEL_WEIGHTS_NOT_FOUND', file: 'koenbert-test/no-weights' });
      const missing = await caught(BertModel.fromPretrained('koenbert-test/absent', { task: 'base', hubUrl: server.url, cacheDir }));
      expect(missing.message).toContain('koenbert-test/absent');
    } finally {
      await server.close();
      model.dispose();
    }
  });
});

describeIfSharedData('models/tiny-random-bert/pytorch_model.bin', 'tiny-random-bert errors and Hub', () => {
  it('config vocab_size disagreeing with pytorch_model.bin', async () => {
    const config = JSON.parse(await fs.readFile(path.join(TINY_BERT, 'config.json'), 'utf8'));
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 1000 }));
    await fs.symlink(path.join(TINY_BERT, 'pytorch_model.bin'), path.join(dir, 'pytorch_model.bin'));
    const error = await caught(BertModel.fromPretrained(dir, { task: 'sequence-classification' }));
    expect(error.message).toBe(
      `${path.join(dir, 'pytorch_model.bin')}: tensor "bert.embeddings.word_embeddings.weight" has shape [1124, 32] but ${path.join(dir, 'config.json')} expects [1000, 32]`,
    );
  });

  it('pytorch_model.bin served by the Hub loads like the local folder', async () => {
    const files: Record<string, Buffer> = {};
    for (const name of ['config.json', 'pytorch_model.bin', 'vocab.txt']) files[name] = await fs.readFile(path.join(TINY_BERT, name));
    const server = await startLocalHubServer({ repos: { 'caikit/tiny-random-bert': files } });
    try {
      const fromHub = await BertModel.fromPretrained('caikit/tiny-random-bert', { task: 'base', hubUrl: server.url, cacheDir: path.join(dir, 'cache') });
      const local = await BertModel.fromPretrained(TINY_BERT, { task: 'base' });
      sameValues(local, fromHub);
      fromHub.dispose();
      local.dispose();
    } finally {
      await server.close();
    }
  });
});
