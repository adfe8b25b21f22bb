import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { BertModel, bertParamShapes, crossEntropyLoss, parseBertConfig, BERT_TASKS } from '@koenbert/bert';
import { TINY_BERT, describeIfSharedData, disposeAll, int2d, loadGolden, maxAbsDiff, type Golden } from './helpers';

// Forward pass of a real HF checkpoint against tools/golden/make-bert-golden.py (an independent float64 torch
// implementation). Tolerance: 1e-4 absolute (the bound); the float32 wasm result is typically ~1e-6 off.
const TOLERANCE = 1e-4;

let golden: Golden;
let inputs: { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; tokenTypeIds: tf.Tensor2D };

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  golden = loadGolden();
  inputs = {
    inputIds: int2d(golden.inputs.input_ids),
    attentionMask: int2d(golden.inputs.attention_mask),
    tokenTypeIds: int2d(golden.inputs.token_type_ids),
  };
});

afterAll(() => disposeAll(inputs));

describe('parameter names', () => {
  it.each(BERT_TASKS)('%s: exactly the state dict names of the transformers class (golden list)', (task) => {
    // tiny-random-bert's sizes (the golden key lists were made for them)
    const config = parseBertConfig({ vocab_size: 1124, hidden_size: 32, num_hidden_layers: 5, num_attention_heads: 4, intermediate_size: 37, type_vocab_size: 16 });
    expect([...bertParamShapes({ config, task, numLabels: 2 }).keys()]).toEqual(golden.transformers_keys[task]);
  });
});

describeIfSharedData('models/tiny-random-bert/pytorch_model.bin', 'tiny-random-bert forward vs golden', () => {
  it('sequence-classification: every hidden state, pooled output, logits and q/k/v match', async () => {
    const model = await BertModel.fromPretrained(TINY_BERT, { task: 'sequence-classification' });
    expect(model.loadReport).toEqual({ file: path.join(TINY_BERT, 'pytorch_model.bin'), missing: [], unexpected: [], notes: [] });
    expect(model.numLabels).toBe(2);
    const before = tf.memory().numTensors;
    const out = model.forward({ ...inputs, outputHiddenStates: true, outputQkvLayers: [1, 4] });
    expect(out.hiddenStates).toHaveLength(6);
    out.hiddenStates!.forEach((hidden, i) => expect(maxAbsDiff(hidden, golden.hidden_states[i])).toBeLessThanOrEqual(TOLERANCE));
    expect(maxAbsDiff(out.lastHiddenState, golden.hidden_states[5])).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(out.pooledOutput!, golden.pooled_output)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(out.logits!, golden.sequence_classification_logits)).toBeLessThanOrEqual(TOLERANCE);
    expect(out.qkv!.map((entry) => entry.layer)).toEqual([1, 4]);
    out.qkv!.forEach((entry, i) => {
      for (const which of ['query', 'key', 'value'] as const) {
        expect(maxAbsDiff(entry[which], golden.qkv[i][which])).toBeLessThanOrEqual(TOLERANCE);
      }
    });
    // outputs are the only tensors left behind
    const kept = new Set([out.lastHiddenState, out.pooledOutput, out.logits, ...out.hiddenStates!, ...out.qkv!.flatMap((e) => [e.query, e.key, e.value])]);
    expect(tf.memory().numTensors - before).toBe(kept.size);
    disposeAll(out);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('gradients of the sequence-classification loss match torch autograd for every parameter', async () => {
    const model = await BertModel.fromPretrained(TINY_BERT, { task: 'sequence-classification' });
    const labels = tf.tensor1d(golden.gradients.labels, 'int32');
    const before = tf.memory().numTensors;
    const { loss, grads } = model.valueAndGrads(() => crossEntropyLoss({ logits: model.forward(inputs).logits!, labels }));
    expect(loss.dataSync()[0]).toBeCloseTo(golden.gradients.loss, 5);
    expect([...grads.keys()].sort()).toEqual(Object.keys(golden.gradients.params).sort());
    for (const [name, grad] of grads) {
      const expected = golden.gradients.params[name];
      const values = Array.from(grad.dataSync());
      const sumSquares = values.reduce((s, v) => s + v * v, 0);
      // relative 1e-3 on the squared norm; 1e-6 absolute on single entries (gradients here are ~1e-2)
      expect({ name, ok: Math.abs(sumSquares - expected.sum_squares) <= 1e-3 * expected.sum_squares + 1e-12 }).toEqual({ name, ok: true });
      expected.first.forEach((v, i) => expect({ name, i, diff: Math.abs(values[i] - v) <= 1e-6 }).toEqual({ name, i, diff: true }));
    }
    tf.dispose([loss, ...grads.values()]);
    expect(tf.memory().numTensors).toBe(before);
    labels.dispose();
    model.dispose();
  });

  it("base: loads the 'bert.'-prefixed checkpoint without the prefix and gives the same encoder outputs", async () => {
    const model = await BertModel.fromPretrained(TINY_BERT, { task: 'base' });
    expect(model.params.has('embeddings.word_embeddings.weight')).toBe(true);
    expect(model.loadReport!.unexpected).toEqual(['classifier.weight', 'classifier.bias']);
    expect(model.loadReport!.notes).toEqual(["removed the 'bert.' prefix"]);
    const out = model.forward(inputs);
    expect(out.logits).toBeUndefined();
    expect(out.hiddenStates).toBeUndefined();
    expect(maxAbsDiff(out.lastHiddenState, golden.hidden_states[5])).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(out.pooledOutput!, golden.pooled_output)).toBeLessThanOrEqual(TOLERANCE);
    disposeAll(out);
    model.dispose();
  });

  it('masked-lm: head initialised and reported; with the golden head weights the logits (tied decoder) match', async () => {
    const model = await BertModel.fromPretrained(TINY_BERT, { task: 'masked-lm' });
    expect(model.loadReport!.missing).toEqual([
      'cls.predictions.bias',
      'cls.predictions.transform.dense.weight',
      'cls.predictions.transform.dense.bias',
      'cls.predictions.transform.LayerNorm.weight',
      'cls.predictions.transform.LayerNorm.bias',
    ]);
    expect(model.loadReport!.unexpected).toEqual(['bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias']);
    for (const [name, packed] of Object.entries(golden.heads)) {
      if (name.startsWith('cls.')) model.params.get(name)!.assign(tf.tensor(packed.data, packed.shape));
    }
    const out = model.forward(inputs);
    expect(out.pooledOutput).toBeUndefined();
    expect(maxAbsDiff(out.logits!, golden.masked_lm_logits)).toBeLessThanOrEqual(TOLERANCE);
    disposeAll(out);
    model.dispose();
  });

  it('token-classification (3 labels, classifier initialised) matches with the golden classifier', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-golden-'));
    const base = await BertModel.fromPretrained(TINY_BERT, { task: 'base' });
    await base.savePretrained(dir);
    base.dispose();
    const model = await BertModel.fromPretrained(dir, { task: 'token-classification', numLabels: 3 });
    expect(model.loadReport!.missing).toEqual(['classifier.weight', 'classifier.bias']);
    expect(model.loadReport!.notes).toEqual(["added the 'bert.' prefix"]);
    expect(model.config.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    for (const name of ['classifier.weight', 'classifier.bias']) {
      model.params.get(name)!.assign(tf.tensor(golden.heads[name].data, golden.heads[name].shape));
    }
    const out = model.forward(inputs);
    expect(maxAbsDiff(out.logits!, golden.token_classification_logits)).toBeLessThanOrEqual(TOLERANCE);
    disposeAll(out);
    model.dispose();
    await fs.rm(dir, { recursive: true });
  });

  it.each(['gelu_new', 'relu'] as const)('hidden_act %s matches', async (act) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `bert-${act}-`));
    const config = JSON.parse(await fs.readFile(path.join(TINY_BERT, 'config.json'), 'utf8'));
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, hidden_act: act }));
    await fs.symlink(path.join(TINY_BERT, 'pytorch_model.bin'), path.join(dir, 'pytorch_model.bin'));
    const model = await BertModel.fromPretrained(dir, { task: 'base' });
    const out = model.forward(inputs);
    expect(maxAbsDiff(out.lastHiddenState, golden.activations[act])).toBeLessThanOrEqual(TOLERANCE);
    // relu really changes the result; gelu_new is within ~1e-6 of gelu on these small activations (see bert-layers.test.ts)
    if (act === 'relu') expect(maxAbsDiff(out.lastHiddenState, golden.hidden_states[5])).toBeGreaterThan(1e-3);
    disposeAll(out);
    model.dispose();
    await fs.rm(dir, { recursive: true });
  });
});
