import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend, readSafetensors, writeSafetensors } from '@koenbert/tensor-utils';
import { BertModel, parseBertConfig, type BertConfig } from '@koenbert/bert';
import { TINY_BERT, describeIfSharedData } from './helpers';

// Issue 16: a folder is loaded only when its weights are exactly the model config.json describes. Each case damages
// one thing in a saved folder and expects a one-line error naming the weight file and the tensors.
const CONFIG: BertConfig = parseBertConfig({
  vocab_size: 40,
  hidden_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 12,
  max_position_embeddings: 16,
});

let dir: string;
let file: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-strict-'));
  file = path.join(dir, 'model.safetensors');
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

async function save(task: 'sequence-classification' | 'masked-lm' | 'base', config: BertConfig = CONFIG, numLabels?: number): Promise<BertModel> {
  const model = BertModel.create({ config, task, numLabels, seed: 3 });
  await model.savePretrained(dir);
  return model;
}

async function editWeights(edit: (tensors: Map<string, any>) => void): Promise<void> {
  const { tensors } = await readSafetensors(file);
  edit(tensors);
  await writeSafetensors(file, tensors, { format: 'pt' });
}

async function editConfig(changes: Record<string, unknown>): Promise<void> {
  const configFile = path.join(dir, 'config.json');
  await fs.writeFile(configFile, JSON.stringify({ ...JSON.parse(await fs.readFile(configFile, 'utf8')), ...changes }));
}

function expectOneLine(error: Error & { file?: string }): void {
  expect(error.file).toBe(file);
  expect(error.message.startsWith(`${file}: `)).toBe(true);
  expect(error.message).not.toContain('\n');
}

describe('strict loading: the folder must be the model it says it is', () => {
  it("a layer's query weight missing is an error, not a random initialisation", async () => {
    (await save('sequence-classification')).dispose();
    await editWeights((t) => t.delete('bert.encoder.layer.1.attention.self.query.weight'));
    const error = await caught(BertModel.fromPretrained(dir, { task: 'sequence-classification' }));
    expect(error.code).toBe('CHECKPOINT_INCOMPLETE');
    expect(error.message).toContain('bert.encoder.layer.1.attention.self.query.weight');
    expectOneLine(error);
  });

  it('config num_hidden_layers above the layers the weights hold', async () => {
    (await save('base')).dispose();
    await editConfig({ num_hidden_layers: 3 });
    const error = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(error.code).toBe('CHECKPOINT_LAYERS_MISMATCH');
    expect(error.message).toContain('num_hidden_layers = 3 but the weights hold layers 0–1 (2 layers)');
    expectOneLine(error);
  });

  it('extra layer weights the config does not use', async () => {
    (await save('base')).dispose();
    await editConfig({ num_hidden_layers: 1 });
    const error = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(error.code).toBe('CHECKPOINT_LAYERS_MISMATCH');
    expect(error.message).toContain('num_hidden_layers = 1 but the weights hold layers 0–1 (2 layers)');
    expectOneLine(error);
  });

  it('an unused embedding tensor', async () => {
    (await save('base')).dispose();
    await editWeights((t) => t.set('embeddings.extra_embeddings.weight', t.get('embeddings.token_type_embeddings.weight')));
    const error = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(error.code).toBe('CHECKPOINT_UNUSED_TENSORS');
    expect(error.message).toContain('embeddings.extra_embeddings.weight');
    expectOneLine(error);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('a weight holding %s', async (bad) => {
    (await save('base')).dispose();
    await editWeights((t) => {
      const record = t.get('encoder.layer.0.output.dense.weight');
      const data = Float32Array.from(record.data as Float32Array);
      data[5] = bad;
      t.set('encoder.layer.0.output.dense.weight', { ...record, data });
    });
    const error = await caught(BertModel.fromPretrained(dir, { task: 'base' }));
    expect(error.code).toBe('WEIGHTS_NOT_FINITE');
    expect(error.message).toContain(`encoder.layer.0.output.dense.weight (element 5: ${bad})`);
    expectOneLine(error);
  });

  it('half a pooler is an error; no pooler at all (an MLM checkpoint) gets a fresh one', async () => {
    (await save('sequence-classification')).dispose();
    await editWeights((t) => t.delete('bert.pooler.dense.bias'));
    const half = await caught(BertModel.fromPretrained(dir, { task: 'sequence-classification' }));
    expect(half.code).toBe('CHECKPOINT_INCOMPLETE');
    expect(half.message).toContain('bert.pooler.dense.bias');

    (await save('masked-lm')).dispose();
    const model = await BertModel.fromPretrained(dir, { task: 'sequence-classification', numLabels: 3 });
    expect(model.loadReport!.missing).toEqual(['bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias']);
    model.dispose();
  });
});

describe('ignoreMismatchedSizes: a task head of another size is replaced, the encoder never', () => {
  it('a 3-class classifier loaded for 5 classes: fresh head, reported; encoder weights as saved', async () => {
    const saved = await save('sequence-classification', CONFIG, 3);
    const strict = await caught(BertModel.fromPretrained(dir, { task: 'sequence-classification', numLabels: 5 }));
    expect(strict.code).toBe('WEIGHT_SHAPE_MISMATCH');

    const model = await BertModel.fromPretrained(dir, { task: 'sequence-classification', numLabels: 5, ignoreMismatchedSizes: true, seed: 11 });
    expect(model.loadReport!.mismatched).toEqual([
      { name: 'classifier.weight', checkpointShape: [3, 8], expectedShape: [5, 8] },
      { name: 'classifier.bias', checkpointShape: [3], expectedShape: [5] },
    ]);
    expect(model.loadReport!.missing).toEqual(['classifier.weight', 'classifier.bias']);
    for (const [name, variable] of model.params) {
      if (!name.startsWith('classifier.')) expect(Array.from(variable.dataSync())).toEqual(Array.from(saved.params.get(name)!.dataSync()));
    }
    // The fresh head is drawn from the seed: the same seed gives the same head.
    const again = await BertModel.fromPretrained(dir, { task: 'sequence-classification', numLabels: 5, ignoreMismatchedSizes: true, seed: 11 });
    expect(Array.from(again.params.get('classifier.weight')!.dataSync())).toEqual(Array.from(model.params.get('classifier.weight')!.dataSync()));
    expect(model.params.get('classifier.weight')!.shape).toEqual([5, 8]);
    // A head that fits is kept as is and nothing is reported.
    const same = await BertModel.fromPretrained(dir, { task: 'sequence-classification', numLabels: 3, ignoreMismatchedSizes: true });
    expect(same.loadReport!.mismatched).toBeUndefined();
    expect(Array.from(same.params.get('classifier.weight')!.dataSync())).toEqual(Array.from(saved.params.get('classifier.weight')!.dataSync()));
    for (const m of [saved, model, again, same]) m.dispose();
  });

  it('an encoder shape mismatch stays an error', async () => {
    (await save('sequence-classification')).dispose();
    await editConfig({ intermediate_size: 10 });
    const error = await caught(BertModel.fromPretrained(dir, { task: 'sequence-classification', ignoreMismatchedSizes: true }));
    expect(error.code).toBe('WEIGHT_SHAPE_MISMATCH');
  });
});

describeIfSharedData('models/tiny-random-bert/pytorch_model.bin', 'tiny-random-bert (a 2-class classifier)', () => {
  it('loads for 13-tag token classification with a fresh head and passes the strict checks', async () => {
    const model = await BertModel.fromPretrained(TINY_BERT, { task: 'token-classification', numLabels: 13, ignoreMismatchedSizes: true });
    expect(model.loadReport!.mismatched!.map((m) => m.name)).toEqual(['classifier.weight', 'classifier.bias']);
    expect(model.params.get('classifier.weight')!.shape).toEqual([13, 32]);
    // token classification has no pooler: the checkpoint's is ignored, not an error
    expect(model.loadReport!.unexpected).toEqual(['bert.pooler.dense.weight', 'bert.pooler.dense.bias']);
    model.dispose();
  });
});
