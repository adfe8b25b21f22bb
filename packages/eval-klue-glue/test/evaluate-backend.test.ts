import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { bertParamShapes, parseBertConfig, writeBertConfig } from '@koenbert/bert';
import { initBackend, SeededRng, writeSafetensors, type TensorRecord } from '@koenbert/tensor-utils';
import { evaluateIter, type EvaluateEvent } from '../src/lib/evaluate';

// Issue 17: `evaluate` runs on the backend its caller chose; it must not start another one behind the caller's back.
// Self-contained (no ../shared/data): a 1-layer BERT with a 14-word vocab.txt and a few SST-2-style lines.

const WORDS = ['good', 'bad', 'film', 'great', 'awful', 'plot', 'the', 'a', 'is'];

async function fixture(): Promise<{ model: string; trainFile: string; devFile: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eval-backend-'));
  writeFileSync(path.join(dir, 'vocab.txt'), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS].join('\n') + '\n');
  const lines = (count: number, offset: number) =>
    ['sentence\tlabel', ...Array.from({ length: count }, (_, i) => `${WORDS[(i + offset) % WORDS.length]} ${WORDS[(i * 3 + 1) % WORDS.length]} film\t${(i + offset) % 2}`)].join('\n') + '\n';
  const trainFile = path.join(dir, 'train.tsv');
  const devFile = path.join(dir, 'dev.tsv');
  writeFileSync(trainFile, lines(12, 0));
  writeFileSync(devFile, lines(6, 5));
  const config = parseBertConfig({ vocab_size: 5 + WORDS.length, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16 });
  // written without tfjs, so that no tensor work starts a backend before the first test
  const rng = new SeededRng(0);
  const tensors = new Map<string, TensorRecord>();
  for (const [name, shape] of bertParamShapes({ config, task: 'base', numLabels: 2 })) {
    tensors.set(name, { dtype: 'F32', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 0.02 * rng.normal()) });
  }
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  await writeBertConfig(dir, config);
  return { model: dir, trainFile, devFile };
}

async function drain(params: Awaited<ReturnType<typeof fixture>>): Promise<{ backends: string[]; result?: Extract<EvaluateEvent, { type: 'result' }> }> {
  const seen = new Set<string>();
  let result: Extract<EvaluateEvent, { type: 'result' }> | undefined;
  for await (const event of evaluateIter({ ...params, task: 'glue-sst2', epochs: 1, batchSize: 4, maxLength: 8, checkpoint: 'last' })) {
    seen.add(tf.getBackend());
    if (event.type === 'result') result = event;
  }
  return { backends: [...seen], result };
}

// The tests run in this order: the first finds no backend set in this file's fresh tfjs engine.
describe('evaluate keeps the caller’s backend', () => {
  it('with no backend set, evaluate starts initBackend’s default (here KOENBERT_BACKEND=wasm)', async () => {
    const data = await fixture();
    expect(tf.getBackend()).toBeFalsy();
    const env = process.env.KOENBERT_BACKEND;
    process.env.KOENBERT_BACKEND = 'wasm';
    try {
      expect((await drain(data)).backends).toEqual(['wasm']);
    } finally {
      if (env === undefined) delete process.env.KOENBERT_BACKEND;
      else process.env.KOENBERT_BACKEND = env;
    }
  });

  it("a caller that set 'cpu' trains and predicts on cpu, and cpu is still the backend afterwards", async () => {
    await initBackend({ backend: 'cpu' });
    const { backends, result } = await drain(await fixture());
    expect(backends).toEqual(['cpu']);
    expect(tf.getBackend()).toBe('cpu');
    expect(result!.result.runs).toHaveLength(1);
  });
});
