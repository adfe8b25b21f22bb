import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { BertModel, crossEntropyLoss, parseBertConfig, type BertTask } from '@koenbert/bert';
import { minilmV2RelationLoss } from '../../distill/src/lib/losses/minilm-v2';
import { AdamW, SeededRng, clipByGlobalNorm, gelu, initBackend, layerNorm, probeWebGpu, sparseSoftmaxCrossEntropy } from '../src';

// webgpu (tfjs-backend-webgpu on Dawn) against wasm (the project's kernels) on a tiny BERT: forward, every gradient,
// three AdamW steps, the MiniLMv2 relation loss and the fine-tuning losses. On CI the adapter is Mesa's llvmpipe
// (the CPU Vulkan driver from bookworm-backports, see .ci/run), forced with backend 'webgpu'.
//
// Tolerances (float32 both sides; the two backends sum in different orders):
// - values (logits, losses): |webgpu − wasm| ≤ 1e-4 · max|wasm| + 1e-6;
// - gradients, per parameter: ‖g_webgpu − g_wasm‖₂ ≤ 1e-3 · ‖g_wasm‖₂ (+1e-7 for all-zero ones);
// - parameters after 3 AdamW steps: |Δ| ≤ 5e-3 · lr per element (an Adam step moves each element by ~lr, so this is
//   0.5 % of one step; Adam's m/√v magnifies the difference of tiny gradients: 6e-4 · lr measured on llvmpipe).

/** Whether Dawn gives an adapter here, asked in a child process so that jest can decide at collection time. */
function webGpuAdapterHere(): { ok: boolean; why: string } {
  const script = `
    const path = require('node:path');
    let dir; try { dir = path.dirname(require.resolve('webgpu/package.json')); } catch { console.log('webgpu is not installed'); process.exit(0); }
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    const { create } = require(path.join(dir, 'dist', process.platform + '-' + arch, 'dawn.node'));
    const flag = { linux: 'backend=vulkan', darwin: 'backend=metal', win32: 'backend=d3d12' }[process.platform];
    create(flag ? [flag] : []).requestAdapter({ powerPreference: 'high-performance' }).then(
      (a) => { console.log(a ? 'ok ' + (a.info.description || a.info.device) : 'Dawn found no adapter (on Linux: install a Vulkan driver, e.g. Mesa from bookworm-backports)'); process.exit(0); },
      (e) => { console.log('requestAdapter failed: ' + e.message); process.exit(0); });`;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: __dirname, encoding: 'utf8', timeout: 60_000 });
  const line = (child.stdout ?? '').trim().split('\n').pop() ?? '';
  if (line.startsWith('ok ')) return { ok: true, why: line.slice(3) };
  return { ok: false, why: line || `the probe failed: ${(child.stderr ?? '').trim().split('\n')[0] || child.error?.message}` };
}

const here = webGpuAdapterHere();
if (!here.ok) {
  console.log(`webgpu parity tests skipped: no WebGPU adapter here (${here.why})`);
}
const describeWebGpu = here.ok ? describe : describe.skip;

type Backend = 'wasm' | 'webgpu';

/** Runs `fn` with `backend` active and reads every returned tensor (asynchronously) before disposing them. */
async function on(backend: Backend, fn: () => Record<string, tf.Tensor>): Promise<Record<string, Float32Array>> {
  await tf.setBackend(backend);
  const tensors = fn();
  const out: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(tensors)) out[name] = Float32Array.from(await tensor.data());
  tf.dispose(Object.values(tensors));
  return out;
}

function worstValueError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (const value of expected) scale = Math.max(scale, Math.abs(value));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1e-4 * scale + 1e-6));
  return worst; // ≤ 1 passes
}

function relativeL2(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < actual.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return Math.sqrt(diff) / (Math.sqrt(norm) + 1e-7);
}

const CONFIG = parseBertConfig({
  vocab_size: 211,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 64,
  max_position_embeddings: 32,
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
});
const BATCH = 4;
const SEQ = 16;

/** Ids, a padding mask (rows of 16, 13, 10, 7 tokens), MLM labels (−100 where unmasked) and class labels. */
function makeBatch() {
  const rng = new SeededRng(7);
  const ids: number[] = [];
  const mask: number[] = [];
  const mlmLabels: number[] = [];
  for (let b = 0; b < BATCH; b++) {
    const length = SEQ - 3 * b;
    for (let i = 0; i < SEQ; i++) {
      const real = i < length;
      const id = real ? 5 + rng.int(CONFIG.vocab_size - 5) : 0;
      ids.push(real && i % 4 === 1 ? 4 : id);
      mask.push(real ? 1 : 0);
      mlmLabels.push(real && i % 4 === 1 ? 5 + rng.int(CONFIG.vocab_size - 5) : -100);
    }
  }
  return { ids, mask, mlmLabels, classLabels: [0, 2, 1, 2], scores: [0.5, -1.25, 2, 0.75] };
}
const DATA = makeBatch();

function inputs() {
  return {
    inputIds: tf.tensor2d(DATA.ids, [BATCH, SEQ], 'int32'),
    attentionMask: tf.tensor2d(DATA.mask, [BATCH, SEQ], 'int32'),
  };
}

function model(task: BertTask, numLabels?: number, seed = 3, config = CONFIG): BertModel {
  return BertModel.create({ config, task, numLabels, seed });
}

/** Loss and every gradient of `lossOf(model)`, named `loss` and `grad:<param>`. */
function lossAndGrads(bert: BertModel, lossOf: () => tf.Scalar): Record<string, tf.Tensor> {
  const { loss, grads } = bert.valueAndGrads(lossOf);
  const out: Record<string, tf.Tensor> = { loss };
  for (const [name, grad] of grads) out[`grad:${name}`] = grad;
  return out;
}

function expectGradientsAgree(webgpu: Record<string, Float32Array>, wasm: Record<string, Float32Array>, paramCount: number): number {
  const names = Object.keys(wasm).filter((name) => name.startsWith('grad:'));
  expect(names.length).toBe(paramCount);
  expect(Object.keys(webgpu).sort()).toEqual(Object.keys(wasm).sort());
  let worst = 0;
  for (const name of names) worst = Math.max(worst, relativeL2(webgpu[name], wasm[name]));
  expect(worst).toBeLessThanOrEqual(1e-3);
  return worst;
}

describeWebGpu(`webgpu against wasm (${here.why})`, () => {
  const worst: Record<string, number> = {};

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    const choice = await initBackend({ backend: 'webgpu' });
    expect(choice.name).toBe('webgpu');
    const probe = await probeWebGpu();
    expect(probe.adapter?.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  afterAll(() => {
    console.log(`webgpu vs wasm, worst errors (≤ 1 for values, ≤ 1e-3 for gradients, ≤ 5e-3 for parameters): ${JSON.stringify(worst)}`);
  });

  it('dataSync reads GPU results synchronously and leaks nothing', async () => {
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const product = tf.matMul(a, a, false, true);
    const norm = tf.tidy(() => tf.sqrt(tf.sum(tf.square(product))));
    expect(Array.from(product.dataSync())).toEqual([14, 32, 32, 77]);
    expect(norm.dataSync()[0]).toBeCloseTo(Math.sqrt(14 ** 2 + 2 * 32 ** 2 + 77 ** 2), 3);
    const best = tf.argMax(product, 1);
    expect(best.arraySync()).toEqual([1, 1]);
    const grads = new Map(Array.from({ length: 20 }, (_, i) => [`w${i}`, tf.fill([300, 7], 2)]));
    const clipped = clipByGlobalNorm(grads, 1);
    expect(clipped.globalNorm).toBeCloseTo(2 * Math.sqrt(20 * 2100), 1); // tf.addN of 20 tensors: more inputs than a shader may bind
    tf.dispose([a, product, norm, best, ...grads.values(), ...clipped.grads.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the fused-op fallbacks (GELU, LayerNorm, softmax cross-entropy, gather gradient) agree, value and gradient', async () => {
    const rng = new SeededRng(11);
    const x = Float32Array.from({ length: 6 * 40 }, () => 3 * rng.normal());
    const gamma = Float32Array.from({ length: 40 }, () => 1 + 0.1 * rng.normal());
    const ids = [3, 1, 3, 0, 5, 3];
    const run = () => {
      const xt = tf.tensor2d(x, [6, 40]);
      const g = tf.tensor1d(gamma);
      const table = tf.reshape(xt, [12, 20]);
      const targets = tf.tensor1d([1, -1, 39, 0, 7, 7], 'int32');
      const f = (input: tf.Tensor, scale: tf.Tensor, rows: tf.Tensor) =>
        tf.add(
          tf.add(sparseSoftmaxCrossEntropy(gelu(layerNorm(input, scale, tf.zerosLike(scale), 1e-12)) as tf.Tensor2D, targets), tf.mean(tf.square(gelu(input)))),
          tf.sum(tf.square(tf.gather(rows, tf.tensor1d(ids, 'int32')))),
        ) as tf.Scalar;
      const { value, grads } = tf.valueAndGrads(f)([xt, g, table]);
      return { value, dx: grads[0], dgamma: grads[1], dtable: grads[2] };
    };
    const wasm = await on('wasm', run);
    const webgpu = await on('webgpu', run);
    worst.fusedValue = worstValueError(webgpu.value, wasm.value);
    expect(worst.fusedValue).toBeLessThanOrEqual(1);
    worst.fusedGrad = Math.max(relativeL2(webgpu.dx, wasm.dx), relativeL2(webgpu.dgamma, wasm.dgamma), relativeL2(webgpu.dtable, wasm.dtable));
    expect(worst.fusedGrad).toBeLessThanOrEqual(1e-3);
  });

  it('BERT forward: masked-LM and classification logits agree', async () => {
    const run = () => {
      const { inputIds, attentionMask } = inputs();
      const mlm = model('masked-lm');
      const cls = model('sequence-classification', 3);
      const out = {
        mlm: mlm.forward({ inputIds, attentionMask }).logits as tf.Tensor,
        cls: cls.forward({ inputIds, attentionMask }).logits as tf.Tensor,
      };
      mlm.dispose();
      cls.dispose();
      tf.dispose([inputIds, attentionMask]);
      return out;
    };
    const wasm = await on('wasm', run);
    const webgpu = await on('webgpu', run);
    worst.forward = Math.max(worstValueError(webgpu.mlm, wasm.mlm), worstValueError(webgpu.cls, wasm.cls));
    expect(worst.forward).toBeLessThanOrEqual(1);
  });

  it('BERT backward: the masked-LM loss and all its gradients agree (embedding gradient included)', async () => {
    let params = 0;
    const run = () => {
      const { inputIds, attentionMask } = inputs();
      const labels = tf.tensor2d(DATA.mlmLabels, [BATCH, SEQ], 'int32');
      const bert = model('masked-lm');
      params = bert.trainableParams().size;
      const out = lossAndGrads(bert, () => crossEntropyLoss({ logits: bert.forward({ inputIds, attentionMask }).logits as tf.Tensor, labels }));
      bert.dispose();
      tf.dispose([inputIds, attentionMask, labels]);
      return out;
    };
    const wasm = await on('wasm', run);
    const webgpu = await on('webgpu', run);
    worst.mlmLoss = worstValueError(webgpu.loss, wasm.loss);
    expect(worst.mlmLoss).toBeLessThanOrEqual(1);
    worst.mlmGrads = expectGradientsAgree(webgpu, wasm, params);
  });

  it('3 training steps (AdamW, clipping, linear decay): losses and parameters agree; the loss falls', async () => {
    const lr = 1e-3;
    const run = () => {
      const { inputIds, attentionMask } = inputs();
      const labels = tf.tensor2d(DATA.mlmLabels, [BATCH, SEQ], 'int32');
      const bert = model('masked-lm');
      const optimizer = new AdamW({ lr, weightDecay: 0.01 });
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        const { loss, grads } = bert.valueAndGrads(() => crossEntropyLoss({ logits: bert.forward({ inputIds, attentionMask }).logits as tf.Tensor, labels }));
        const clipped = clipByGlobalNorm(grads, 1);
        optimizer.applyGradients(bert.trainableParams(), clipped.grads, lr * (1 - step / 3));
        losses.push(loss.dataSync()[0]); // a synchronous read on webgpu, as the training loops do
        tf.dispose([loss, ...grads.values(), ...clipped.grads.values()]);
      }
      const out: Record<string, tf.Tensor> = { losses: tf.tensor1d(losses) };
      for (const [name, variable] of bert.trainableParams()) out[`param:${name}`] = tf.clone(variable);
      bert.dispose();
      optimizer.dispose();
      tf.dispose([inputIds, attentionMask, labels]);
      return out;
    };
    const wasm = await on('wasm', run);
    const before = tf.memory().numTensors;
    const webgpu = await on('webgpu', run);
    expect(tf.memory().numTensors).toBe(before);
    worst.trainLosses = worstValueError(webgpu.losses, wasm.losses);
    expect(worst.trainLosses).toBeLessThanOrEqual(1);
    expect(webgpu.losses[2]).toBeLessThan(webgpu.losses[0]);
    let paramWorst = 0;
    for (const name of Object.keys(wasm).filter((key) => key.startsWith('param:'))) {
      for (let i = 0; i < wasm[name].length; i++) paramWorst = Math.max(paramWorst, Math.abs(webgpu[name][i] - wasm[name][i]) / lr);
    }
    worst.trainParams = paramWorst;
    expect(paramWorst).toBeLessThanOrEqual(5e-3);
  });

  it('MiniLMv2 relation loss (teacher of another width, padding) and the student gradients agree', async () => {
    let params = 0;
    const teacherConfig = parseBertConfig({ ...CONFIG, hidden_size: 48, intermediate_size: 96 });
    const run = () => {
      const { inputIds, attentionMask } = inputs();
      const teacher = model('base', undefined, 5, teacherConfig);
      const student = model('base', undefined, 6);
      params = student.trainableParams().size;
      const teacherQkv = teacher.forward({ inputIds, attentionMask, outputQkvLayers: [1] }).qkv![0];
      const out = lossAndGrads(student, () => {
        const s = student.forward({ inputIds, attentionMask, outputQkvLayers: [1] }).qkv![0];
        return minilmV2RelationLoss({ teacher: teacherQkv, student: s, attentionMask, numRelationHeads: 8 }).total;
      });
      teacher.dispose();
      student.dispose();
      tf.dispose([inputIds, attentionMask, teacherQkv.query, teacherQkv.key, teacherQkv.value]);
      return out;
    };
    const wasm = await on('wasm', run);
    const webgpu = await on('webgpu', run);
    worst.relationLoss = worstValueError(webgpu.loss, wasm.loss);
    expect(worst.relationLoss).toBeLessThanOrEqual(1);
    // the pooler and the last layer's output side do not reach layer 1's Q/K/V: fewer gradients than parameters
    worst.relationGrads = expectGradientsAgree(webgpu, wasm, Object.keys(wasm).filter((name) => name.startsWith('grad:')).length);
    expect(Object.keys(wasm).length - 1).toBeLessThan(params);
  });

  it('fine-tuning losses (classification cross-entropy as eval-klue-glue computes it, regression MSE) and gradients agree', async () => {
    let params = 0;
    const run = () => {
      const { inputIds, attentionMask } = inputs();
      const classifier = model('sequence-classification', 3);
      const regressor = model('sequence-classification', 1, 4);
      params = classifier.trainableParams().size;
      const cls = lossAndGrads(classifier, () =>
        crossEntropyLoss({ logits: classifier.forward({ inputIds, attentionMask }).logits as tf.Tensor, labels: tf.tensor1d(Int32Array.from(DATA.classLabels), 'int32'), kernel: 'one-hot' }),
      );
      const reg = regressor.valueAndGrads(() =>
        tf.mean(tf.squaredDifference(tf.reshape(regressor.forward({ inputIds, attentionMask }).logits as tf.Tensor, [-1]), tf.tensor1d(DATA.scores))) as tf.Scalar,
      );
      const out: Record<string, tf.Tensor> = { ...cls, regLoss: reg.loss, regGradClassifier: reg.grads.get('classifier.weight') as tf.Tensor };
      tf.dispose([...reg.grads.values()].filter((grad) => grad !== out.regGradClassifier));
      classifier.dispose();
      regressor.dispose();
      tf.dispose([inputIds, attentionMask]);
      return out;
    };
    const wasm = await on('wasm', run);
    const webgpu = await on('webgpu', run);
    worst.finetuneLoss = Math.max(worstValueError(webgpu.loss, wasm.loss), worstValueError(webgpu.regLoss, wasm.regLoss));
    expect(worst.finetuneLoss).toBeLessThanOrEqual(1);
    const { regLoss: _a, regGradClassifier: gw, ...gpuCls } = webgpu;
    const { regLoss: _b, regGradClassifier: cw, ...wasmCls } = wasm;
    worst.finetuneGrads = Math.max(expectGradientsAgree(gpuCls, wasmCls, params), relativeL2(gw, cw));
    expect(worst.finetuneGrads).toBeLessThanOrEqual(1e-3);
  });
});
