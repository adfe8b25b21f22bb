// Measures what one training step holds at its peak (tfjs's own count, tf.profile's peakBytes, and the wasm heap's
// high-water mark) for small BERTs of the three kinds koenbert trains — a distillation micro-batch (MiniLMv2 relations
// from one teacher), an MLM step (decoder on the masked positions only) and a classification fine-tuning step — each
// followed by global-norm clipping and AdamW, and prints it next to estimateTrainingMemory (packages/bert) for the same
// sizes. Small sizes only (seconds each): the estimate's coefficients are counted from the code and checked here, then
// against the MiniLM-size figure of packages/distill/README.md. Numbers in packages/bert/README.md.
// Rerun from the repository root (esbuild bundles the workspace sources):
//   npx esbuild tools/bench/calibrate-step-memory.mjs --bundle --platform=node --format=esm --tsconfig=tsconfig.base.json \
//     --packages=external --outfile=tools/bench/tmp/calibrate-step-memory.mjs && KOENBERT_BACKEND=wasm node tools/bench/tmp/calibrate-step-memory.mjs
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { BertModel, crossEntropyLoss, parseBertConfig } from '@koenbert/bert';
import { AdamW, clipByGlobalNorm, initBackend } from '@koenbert/tensor-utils';
import { estimateTrainingMemory } from '../../packages/bert/src/lib/estimate-training-memory';
import { relationGrads } from '../../packages/distill/src/lib/train/relation-grads';

// Each case runs in its own process (the wasm heap never shrinks, so its size is a per-process high-water mark).
const only = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
if (only === undefined) {
  console.log('MB = 2^20 bytes; tf peak = tf.profile peakBytes of the second step (counts buffers the wasm kernels share twice); wasm heap = its size after both steps');
  console.log('| step | live before (MB) | tf peak (MB) | wasm heap (MB) | estimate (MB) | estimate / heap |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (let i = 0; i < 8; i++) process.stdout.write(execFileSync(process.execPath, [process.argv[1], String(i)], { encoding: 'utf8' }));
  process.exit(0);
}
let caseIndex = -1;
const runs = () => ++caseIndex === only;
const backend = await initBackend();
const MB = 2 ** 20;
const heapMb = () => (backend.name === 'wasm' ? tf.backend().wasm.HEAPU8.length / MB : NaN);

function ids(batch, seq, vocab, salt) {
  return Int32Array.from({ length: batch * seq }, (_, i) => 5 + ((i * 7919 + salt * 104729) % (vocab - 5)));
}

/** Runs `step` twice (the first creates the AdamW moments) and measures the second. */
async function measure(label, step, estimate) {
  step();
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    step();
  });
  const predicted = estimate.bytes.total / MB;
  console.log(`| ${label} | ${(before / MB).toFixed(1)} | ${(profile.peakBytes / MB).toFixed(1)} | ${heapMb().toFixed(0)} | ${predicted.toFixed(1)} | ${(predicted / heapMb()).toFixed(2)} |`);
}

function trainer(model) {
  const params = model.trainableParams();
  const optimizer = new AdamW({ lr: 1e-4, weightDecay: 0.01 });
  return (grads) => {
    const clipped = clipByGlobalNorm(grads, 1);
    tf.dispose([...grads.values()]);
    optimizer.applyGradients(params, clipped.grads, 1e-4);
    tf.dispose([...clipped.grads.values()]);
  };
}

const small = (over) => parseBertConfig({ vocab_size: 3000, hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 512, max_position_embeddings: 512, ...over });


for (const [batch, seq, relationHeads, hidden] of [
  [8, 128, 8, 128],
  [16, 128, 8, 128],
  [8, 256, 8, 128],
  [8, 128, 16, 256],
]) {
  if (!runs()) continue;
  const config = small({ hidden_size: hidden, intermediate_size: 4 * hidden });
  const student = BertModel.create({ config, task: 'base', seed: 1 });
  const teacher = BertModel.create({ config, task: 'base', seed: 2 });
  const apply = trainer(student);
  const batchData = { lang: 'en', batchSize: batch, seqLength: seq, teacherIds: ids(batch, seq, 3000, 1), studentIds: ids(batch, seq, 3000, 2), attentionMask: new Int32Array(batch * seq).fill(1), tokens: batch * seq };
  let seed = 1;
  const step = () => {
    const result = relationGrads({ batch: batchData, teacher, student, teacherLayer: 1, studentLayer: 1, relationHeads, weights: { qq: 1, kk: 1, vv: 1 }, temperature: 1, scale: 1, dropoutSeed: seed++ });
    apply(result.grads);
  };
  const estimate = estimateTrainingMemory({ model: config, task: 'base', batchSize: batch, seqLength: seq, teachers: [config], relationHeads, dropout: true });
  await measure(`distill H${hidden} L2, batch ${batch} × ${seq}, R ${relationHeads}`, step, estimate);
  student.dispose();
  teacher.dispose();
}

for (const [batch, seq, vocab] of [
  [8, 128, 3000],
  [16, 128, 30000],
]) {
  if (!runs()) continue;
  const config = small({ vocab_size: vocab });
  const model = BertModel.create({ config, task: 'masked-lm', seed: 1 });
  const apply = trainer(model);
  const input = tf.tensor2d(ids(batch, seq, vocab, 3), [batch, seq], 'int32');
  const mask = tf.ones([batch, seq], 'int32');
  const positionsList = Array.from({ length: Math.ceil(0.15 * batch * seq) }, (_, i) => Math.floor(i / 0.15));
  const positions = tf.tensor1d(positionsList, 'int32');
  const targets = tf.tensor1d(positionsList.map((p) => 5 + (p % (vocab - 5))), 'int32');
  let seed = 1;
  const step = () => {
    const { loss, grads } = model.valueAndGrads(() => crossEntropyLoss({ logits: model.forward({ inputIds: input, attentionMask: mask, logitPositions: positions, training: true, seed: seed++ }).logits, labels: targets }));
    loss.dispose();
    apply(grads);
  };
  const estimate = estimateTrainingMemory({ model: config, task: 'masked-lm', batchSize: batch, seqLength: seq, dropout: true });
  await measure(`MLM H128 L2 vocab ${vocab}, batch ${batch} × ${seq}`, step, estimate);
  tf.dispose([input, mask, positions, targets]);
  model.dispose();
}

for (const [batch, seq] of [
  [32, 128],
  [16, 256],
]) {
  if (!runs()) continue;
  const config = small({});
  const model = BertModel.create({ config, task: 'sequence-classification', numLabels: 3, seed: 1 });
  const apply = trainer(model);
  const input = tf.tensor2d(ids(batch, seq, 3000, 4), [batch, seq], 'int32');
  const mask = tf.ones([batch, seq], 'int32');
  const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 3), 'int32');
  let seed = 1;
  const step = () => {
    const { loss, grads } = model.valueAndGrads(() => crossEntropyLoss({ logits: model.forward({ inputIds: input, attentionMask: mask, training: true, seed: seed++ }).logits, labels }));
    loss.dispose();
    apply(grads);
  };
  const estimate = estimateTrainingMemory({ model: config, task: 'sequence-classification', numLabels: 3, batchSize: batch, seqLength: seq, dropout: true });
  await measure(`classification H128 L2, batch ${batch} × ${seq}`, step, estimate);
  tf.dispose([input, mask, labels]);
  model.dispose();
}
