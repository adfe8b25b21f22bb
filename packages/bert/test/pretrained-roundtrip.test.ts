import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readSafetensors, readSafetensorsHeader } from '@koenbert/tensor-utils';
import { BertModel, parseBertConfig, BERT_TASKS, type BertConfig } from '@koenbert/bert';

const CONFIG: BertConfig = parseBertConfig({
  vocab_size: 60,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 24,
  max_position_embeddings: 32,
  problem_type: 'single_label_classification',
  custom_key: { nested: [1, 'two'] },
});

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-roundtrip-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true });
});

function bits(variable: tf.Tensor): Uint32Array {
  return new Uint32Array(Float32Array.from(variable.dataSync() as Float32Array).buffer);
}

describe('create', () => {
  it("initialises as transformers' _init_weights, reproducibly per seed", () => {
    const a = BertModel.create({ config: CONFIG, task: 'masked-lm', seed: 5 });
    const b = BertModel.create({ config: CONFIG, task: 'masked-lm', seed: 5 });
    const c = BertModel.create({ config: CONFIG, task: 'masked-lm', seed: 6 });
    const emb = 'bert.embeddings.word_embeddings.weight';
    expect(bits(a.params.get(emb)!)).toEqual(bits(b.params.get(emb)!));
    expect(bits(a.params.get(emb)!)).not.toEqual(bits(c.params.get(emb)!));
    const values = a.params.get(emb)!.dataSync();
    expect(Array.from(values.slice(0, 16))).toEqual(new Array(16).fill(0)); // pad_token_id 0's row
    const rest = Array.from(values.slice(16));
    const std = Math.sqrt(rest.reduce((s, v) => s + v * v, 0) / rest.length);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    expect(Array.from(a.params.get('bert.encoder.layer.1.output.LayerNorm.weight')!.dataSync())).toEqual(new Array(16).fill(1));
    expect(Array.from(a.params.get('cls.predictions.bias')!.dataSync())).toEqual(new Array(60).fill(0));
    expect(Array.from(a.params.get('bert.encoder.layer.0.intermediate.dense.bias')!.dataSync())).toEqual(new Array(24).fill(0));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('two models coexist (tfjs variable names do not clash) and dispose frees every tensor', () => {
    const before = tf.memory().numTensors;
    const a = BertModel.create({ config: CONFIG, task: 'base' });
    const b = BertModel.create({ config: CONFIG, task: 'base' });
    expect(tf.memory().numTensors - before).toBe(2 * a.params.size);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('savePretrained → fromPretrained', () => {
  it.each(BERT_TASKS)('%s: bit-exact parameters, same config, same outputs', async (task) => {
    const model = BertModel.create({ config: CONFIG, task, numLabels: 3, seed: 1 });
    await fs.writeFile(path.join(dir, 'tokenizer.json'), '{}'); // the caller's files survive a save
    await model.savePretrained(dir);
    expect((await fs.readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    const loaded = await BertModel.fromPretrained(dir, { task });
    expect(loaded.loadReport).toEqual({ file: path.join(dir, 'model.safetensors'), missing: [], unexpected: [], notes: [] });
    expect(loaded.numLabels).toBe(model.numLabels);
    expect(loaded.config).toEqual({ ...model.config, model_type: 'bert', architectures: [expect.any(String)] });
    expect([...loaded.params.keys()]).toEqual([...model.params.keys()]);
    for (const [name, variable] of model.params) expect(bits(loaded.params.get(name)!)).toEqual(bits(variable));

    const inputIds = tf.tensor2d([[2, 7, 9, 3], [2, 5, 0, 0]], [2, 4], 'int32');
    const attentionMask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 0, 0]], [2, 4], 'int32');
    const [x, y] = [model, loaded].map((m) => m.forward({ inputIds, attentionMask }));
    expect(Array.from((y.logits ?? y.lastHiddenState).dataSync())).toEqual(Array.from((x.logits ?? x.lastHiddenState).dataSync()));
    tf.dispose([x, y, inputIds, attentionMask] as unknown as tf.Tensor[]);
    model.dispose();
    loaded.dispose();
  });

  it('writes what transformers expects: architectures, id2label, format=pt metadata, no tied decoder, F32', async () => {
    const model = BertModel.create({ config: CONFIG, task: 'masked-lm' });
    await model.savePretrained(dir);
    const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ architectures: ['BertForMaskedLM'], model_type: 'bert', custom_key: { nested: [1, 'two'] }, problem_type: 'single_label_classification' });
    const header = await readSafetensorsHeader(path.join(dir, 'model.safetensors'));
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.entries.has('cls.predictions.decoder.weight')).toBe(false);
    expect(header.entries.has('cls.predictions.decoder.bias')).toBe(false);
    expect(header.entries.has('bert.pooler.dense.weight')).toBe(false); // BertForMaskedLM has no pooler
    expect([...header.entries.values()].every((entry) => entry.dtype === 'F32')).toBe(true);
    model.dispose();

    const classifier = BertModel.create({ config: CONFIG, task: 'sequence-classification', numLabels: 3 });
    await classifier.savePretrained(dir);
    const written = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
    expect(written.architectures).toEqual(['BertForSequenceClassification']);
    expect(written.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    expect(written.label2id).toEqual({ LABEL_0: 0, LABEL_1: 1, LABEL_2: 2 });
    expect((await readSafetensors(path.join(dir, 'model.safetensors'))).tensors.get('classifier.weight')!.shape).toEqual([3, 16]);
    classifier.dispose();
  });
});

describe('resizeTokenEmbeddings', () => {
  it('grows the word embeddings, the tied decoder and cls.predictions.bias; old logits unchanged', async () => {
    const model = BertModel.create({ config: CONFIG, task: 'masked-lm', seed: 2 });
    model.params.get('cls.predictions.bias')!.assign(tf.randomNormal([60], 0, 1, 'float32', 3));
    const inputIds = tf.tensor2d([[2, 7, 9, 3]], [1, 4], 'int32');
    const before = model.forward({ inputIds });
    const oldEmbedding = Array.from(model.params.get('bert.embeddings.word_embeddings.weight')!.dataSync());
    const oldBias = Array.from(model.params.get('cls.predictions.bias')!.dataSync());
    const newRows = Float32Array.from({ length: 5 * 16 }, (_, i) => i / 100);
    const tensorsBefore = tf.memory().numTensors;
    model.resizeTokenEmbeddings(65, newRows);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(model.config.vocab_size).toBe(65);
    const embedding = model.params.get('bert.embeddings.word_embeddings.weight')!;
    expect(embedding.shape).toEqual([65, 16]);
    expect(Array.from(embedding.dataSync().slice(0, 60 * 16))).toEqual(oldEmbedding);
    expect(Array.from(embedding.dataSync().slice(60 * 16))).toEqual(Array.from(newRows));
    expect(Array.from(model.params.get('cls.predictions.bias')!.dataSync())).toEqual([...oldBias, 0, 0, 0, 0, 0]);
    const after = model.forward({ inputIds });
    expect(after.logits!.shape).toEqual([1, 4, 65]);
    const oldLogits = tf.slice(after.logits!, [0, 0, 0], [1, 4, 60]);
    const previous = before.logits!.dataSync();
    oldLogits.dataSync().forEach((v, i) => expect(Math.abs(v - previous[i])).toBeLessThanOrEqual(1e-6));

    // saved and loaded with the new size
    await model.savePretrained(dir);
    const loaded = await BertModel.fromPretrained(dir, { task: 'masked-lm' });
    expect(loaded.config.vocab_size).toBe(65);
    expect(bits(loaded.params.get('bert.embeddings.word_embeddings.weight')!)).toEqual(bits(embedding));
    tf.dispose([before, after, oldLogits, inputIds] as unknown as tf.Tensor[]);
    model.dispose();
    loaded.dispose();
  });

  it('draws new rows when none are given, shrinks, and checks newRows', () => {
    const model = BertModel.create({ config: CONFIG, task: 'base', seed: 2 });
    model.resizeTokenEmbeddings(70);
    const added = Array.from(model.params.get('embeddings.word_embeddings.weight')!.dataSync().slice(60 * 16));
    expect(added.some((v) => v !== 0)).toBe(true);
    expect(Math.max(...added.map(Math.abs))).toBeLessThan(0.2);
    model.resizeTokenEmbeddings(50);
    expect(model.params.get('embeddings.word_embeddings.weight')!.shape).toEqual([50, 16]);
    expect(() => model.resizeTokenEmbeddings(52, new Float32Array(3))).toThrow('newRows has 3 values; 2 new rows × hidden 16 = 32 expected');
    model.dispose();
  });
});
