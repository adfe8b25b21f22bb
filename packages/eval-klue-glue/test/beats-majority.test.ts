import path from 'node:path';
import { initBackend } from '@koenbert/tensor-utils';
import { evaluate } from '../src/lib/evaluate';
import { describeIfSharedData, SHARED_DATA } from './shared-data';
import { makeTinyBert } from './tiny-model';

// A tiny BERT (hidden 64, 2 layers, random init) fine-tuned with a fixed seed beats the majority-class baseline.
// The last epoch is scored (not the best one), so choosing an epoch on the scored data cannot explain the margin.
// Measured on this machine (wasm): SST-2 accuracy 0.585 vs 0.520; YNAT (2-fold cv on dev) macro F1 0.130 vs 0.087.
describeIfSharedData(['glue/sst2/train.tsv', 'klue/ynat/ynat-v1.1_dev.json', 'tokenizers/kcelectra-base', 'tokenizers/bert-base-uncased'], 'fine-tuned tiny model vs majority class', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('GLUE SST-2: 400 train sentences, 400 dev sentences', async () => {
    const model = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'tokenizers/bert-base-uncased'), hidden: 64 });
    const result = await evaluate({
      model,
      task: 'glue-sst2',
      dataDir: SHARED_DATA,
      limit: 400,
      epochs: 4,
      batchSize: 16,
      maxLength: 48,
      lr: 3e-3,
      warmupRatio: 0.1,
      checkpoint: 'last',
    });
    const accuracy = result.metrics.accuracy!.mean;
    expect(accuracy).toBeGreaterThan(result.majorityBaseline!.accuracy! + 0.03);
    const losses = result.runs[0].epochs.map((e) => e.trainLoss);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });

  it('KLUE YNAT: 2-fold cross-validation on 400 dev headlines', async () => {
    const model = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'tokenizers/kcelectra-base'), hidden: 64 });
    const result = await evaluate({
      model,
      task: 'klue-ynat',
      dataDir: SHARED_DATA,
      cv: 2,
      limit: 400,
      epochs: 5,
      batchSize: 16,
      maxLength: 32,
      lr: 5e-3,
      checkpoint: 'last',
    });
    expect(result.mode).toBe('cv');
    expect(result.metrics.macro_f1!.mean).toBeGreaterThan(result.majorityBaseline!.macro_f1! + 0.02);
    for (const run of result.runs) expect(run.epochs[run.epochs.length - 1].trainLoss).toBeLessThan(run.epochs[0].trainLoss);
  });
});
