// MLM training-step benchmark on the small teachers' shapes: tokens/s of
//   (a) koenbert decoding every position (the MLM transform + vocabulary projection on all batch × seq rows, −100
//       labels on the unmasked ones — what pretrain-mlm would do without logitPositions),
//   (b) koenbert decoding the masked positions only (BertModel.forward's logitPositions, as pretrain-mlm does), and
//   (c) PyTorch, transformers' BertForMaskedLM style (decoder on every position; tools/bench/bench_mlm_masked_torch.py),
// each a full step: forward, backward, global-norm clipping, AdamW; dropout 0.1; batch 16 × 128, 15 % masked.
// The three run in alternating rounds (the order rotating) because this VM's speed drifts; medians over the rounds.
// Threads: koenbert's wasm threads (KOENBERT_WASM_THREADS); PyTorch gets torch.set_num_threads(1) and OpenBLAS
// threads equal to koenbert's unless OPENBLAS_NUM_THREADS is set. Numbers in packages/distill/README.md. From the
// repository root:
//   npx nx run-many -t build -p @koenbert/tensor-utils @koenbert/bert && \
//   node tools/bench/bench-mlm-masked.mjs [--steps 2] [--warmup 1] [--rounds 2] [--shapes ko-h256,en-h256,ko-h128,en-h128,ko-teacher,en-teacher]
// (KOENBERT_BENCH_PYTHON: another Python with torch, e.g. the interop venv's; default Debian's /usr/bin/python3)
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { AdamW, SeededRng, clipByGlobalNorm, initBackend, wasmThreadsRunning } from '@koenbert/tensor-utils';
import { BertModel, crossEntropyLoss, parseBertConfig } from '@koenbert/bert';
import { backendLabel } from './backend-label.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const STEPS = Number(arg('steps', 2));
const WARMUP = Number(arg('warmup', 1));
const ROUNDS = Number(arg('rounds', 2));
const BATCH = 16;
const SEQ = 128;
const MASK_ID = 4;

// The teachers' tokenizers (kcelectra-base WordPiece 50,135; bert-base-uncased 30,522) and model sizes.
const SHAPES = {
  'ko-h256': { vocab: 50135, hidden: 256, layers: 4, heads: 4, ffn: 1024 },
  'en-h256': { vocab: 30522, hidden: 256, layers: 4, heads: 4, ffn: 1024 },
  'ko-h128': { vocab: 50135, hidden: 128, layers: 2, heads: 4, ffn: 512 },
  'en-h128': { vocab: 30522, hidden: 128, layers: 2, heads: 4, ffn: 512 },
  // the teachers as tools/build-teachers.mjs builds them (H 128, 4 layers)
  'ko-teacher': { vocab: 50135, hidden: 128, layers: 4, heads: 4, ffn: 512 },
  'en-teacher': { vocab: 30522, hidden: 128, layers: 4, heads: 4, ffn: 512 },
};
const shapeNames = arg('shapes', Object.keys(SHAPES).join(',')).split(',');

/**
 * Matrix-product FLOP of one training step (forward × 3 for forward + backward) when `decoded` rows go through the
 * MLM head: the encoder (Q/K/V/O, FFN, scores and context per layer) on every token, the head on `decoded` rows.
 */
function stepFlop(shape, decoded) {
  const { vocab, hidden: h, layers, ffn } = shape;
  const tokens = BATCH * SEQ;
  const encoder = layers * tokens * 2 * (4 * h * h + 2 * h * ffn + 2 * SEQ * h);
  const head = decoded * 2 * (h * h + h * vocab);
  return 3 * (encoder + head);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One random batch, 15 % of the tokens masked (→ [MASK]); labels −100 elsewhere, and the masked flat positions. */
function randomBatch(vocab) {
  const rng = new SeededRng(1);
  const ids = new Int32Array(BATCH * SEQ);
  const labels = new Int32Array(BATCH * SEQ).fill(-100);
  const positions = [];
  for (let i = 0; i < ids.length; i++) {
    const token = 5 + rng.int(vocab - 5);
    ids[i] = token;
    if (rng.nextFloat() < 0.15) {
      labels[i] = token;
      ids[i] = MASK_ID;
      positions.push(i);
    }
  }
  return { ids, labels, positions: Int32Array.from(positions), targets: Int32Array.from(positions, (p) => labels[p]) };
}

/** koenbert's two step functions on one model (the cost of a step does not depend on the weights' values). */
function koenbertSteps(shape) {
  const config = parseBertConfig({
    vocab_size: shape.vocab,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.ffn,
    max_position_embeddings: 512,
  });
  const model = BertModel.create({ config, task: 'masked-lm', seed: 0 });
  const params = model.trainableParams();
  const optimizer = new AdamW({ lr: 1e-4, weightDecay: 0.01 });
  const batch = randomBatch(shape.vocab);
  const inputIds = tf.tensor2d(batch.ids, [BATCH, SEQ], 'int32');
  const attentionMask = tf.ones([BATCH, SEQ], 'int32');
  const labels = tf.tensor2d(batch.labels, [BATCH, SEQ], 'int32');
  const positions = tf.tensor1d(batch.positions, 'int32');
  const targets = tf.tensor1d(batch.targets, 'int32');
  let seed = 0;
  const train = (lossFn) => {
    const { loss, grads } = model.valueAndGrads(lossFn);
    const clipped = clipByGlobalNorm(grads, 1.0);
    optimizer.applyGradients(params, clipped.grads);
    const value = loss.dataSync()[0];
    tf.dispose([loss, ...grads.values(), ...clipped.grads.values()]);
    return value;
  };
  const all = () =>
    train(() => crossEntropyLoss({ logits: model.forward({ inputIds, attentionMask, training: true, seed: ++seed }).logits, labels }));
  const masked = () =>
    train(() => crossEntropyLoss({ logits: model.forward({ inputIds, attentionMask, logitPositions: positions, training: true, seed: ++seed }).logits, labels: targets }));
  const dispose = () => {
    tf.dispose([inputIds, attentionMask, labels, positions, targets]);
    optimizer.dispose();
    model.dispose();
  };
  return { all, masked, dispose, maskedTokens: batch.positions.length };
}

/** The PyTorch worker for one shape: `run(n)` → per-step ms of n steps. */
async function torchWorker(shape, openblasThreads) {
  const child = spawn(process.env.KOENBERT_BENCH_PYTHON ?? '/usr/bin/python3', [path.join(here, 'bench_mlm_masked_torch.py'), ...[shape.vocab, shape.hidden, shape.layers, shape.heads, shape.ffn, BATCH, SEQ].map(String)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(openblasThreads) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('bench_mlm_masked_torch.py exited early');
    return JSON.parse(value);
  };
  const info = await next();
  return {
    info,
    run: async (n) => {
      child.stdin.write(`${n}\n`);
      return (await next()).ms;
    },
    close: () => child.stdin.end(),
  };
}

const backend = await initBackend({ logger: (line) => console.log(line) });
const wasmThreads = backend.name === 'wasm' ? wasmThreadsRunning() : undefined;
const openblasThreads = process.env.OPENBLAS_NUM_THREADS ?? String(wasmThreads ?? 1);
console.log(`batch ${BATCH} × ${SEQ}, ${ROUNDS} rounds of ${STEPS} steps after ${WARMUP} warm-up; koenbert ${backendLabel(backend)}; PyTorch OpenBLAS threads ${openblasThreads}`);

const rows = [];
for (const name of shapeNames) {
  const shape = SHAPES[name];
  if (!shape) throw new Error(`unknown shape ${name} (allowed: ${Object.keys(SHAPES).join(', ')})`);
  const ours = koenbertSteps(shape);
  const torch = await torchWorker(shape, openblasThreads);
  const sides = {
    all: async (n) => Array.from({ length: n }, () => { const start = performance.now(); ours.all(); return performance.now() - start; }),
    masked: async (n) => Array.from({ length: n }, () => { const start = performance.now(); ours.masked(); return performance.now() - start; }),
    torch: (n) => torch.run(n),
  };
  for (const side of Object.values(sides)) await side(WARMUP);
  const ms = { all: [], masked: [], torch: [] };
  const order = Object.keys(sides);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < order.length; k++) {
      const side = order[(k + round) % order.length];
      ms[side].push(...(await sides[side](STEPS)));
    }
  }
  torch.close();
  ours.dispose();
  const tokensPerSecond = (side) => (BATCH * SEQ) / (median(ms[side]) / 1000);
  const flop = { all: stepFlop(shape, BATCH * SEQ), masked: stepFlop(shape, ours.maskedTokens) };
  const row = { name, shape, a: tokensPerSecond('all'), b: tokensPerSecond('masked'), c: tokensPerSecond('torch'), flop };
  rows.push(row);
  console.log(
    `${name} (vocab ${shape.vocab}, H ${shape.hidden}, L ${shape.layers}, ${ours.maskedTokens} masked of ${BATCH * SEQ}): ` +
      Object.entries(ms).map(([side, xs]) => `${side} ${xs.map((x) => x.toFixed(0)).join('/')} ms`).join('; ') +
      `; matmul GFLOP/step every position ${(flop.all / 1e9).toFixed(1)}, masked only ${(flop.masked / 1e9).toFixed(1)} (${(flop.all / flop.masked).toFixed(2)}×)` +
      `; matmul GFLOP/s a ${(flop.all / median(ms.all) / 1e6).toFixed(0)}, b ${(flop.masked / median(ms.masked) / 1e6).toFixed(0)}, c ${(flop.all / median(ms.torch) / 1e6).toFixed(0)}` +
      `; PyTorch ${torch.info.torch}, ${torch.info.threads} intra-op thread, OpenBLAS ${torch.info.openblas}; rss ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB`,
  );
}

console.log('');
console.log(`| shape | (a) koenbert, every position | (b) koenbert, masked only | (c) PyTorch, every position | b / a | b / c | a / c | matmul FLOP a / b |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|`);
for (const { name, shape, a, b, c, flop } of rows) {
  const label = `${name}: vocab ${shape.vocab}, H ${shape.hidden}, L ${shape.layers}, FFN ${shape.ffn}`;
  console.log(`| ${label} | ${a.toFixed(0)} tok/s | ${b.toFixed(0)} tok/s | ${c.toFixed(0)} tok/s | ${(b / a).toFixed(2)}× | ${(b / c).toFixed(2)}× | ${(a / c).toFixed(2)}× | ${(flop.all / flop.masked).toFixed(2)}× |`);
}
