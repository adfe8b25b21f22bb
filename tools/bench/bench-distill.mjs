// Distillation step time and peak RSS of @koenbert/distill (on the backend initBackend picks: tfjs-node(-gpu) when
// installed, else wasm; KOENBERT_BACKEND / KOENBERT_WASM_THREADS choose) for a MiniLM-size student (H 384, L 6, 12 heads,
// FFN 1536, merged vocab of the shared bert-base-uncased + KcELECTRA tokenizers) with two teachers of the same size,
// next to the same step in PyTorch (tools/bench/bench-distill-torch.py, torch.set_num_threads(1)) in the same run.
// Real text from ../shared/data (WikiText-2, KLUE NER train sentences); random weights (speed does not depend on them).
// Numbers in packages/distill/README.md.
// Rerun from the repository root (esbuild bundles the workspace sources; nothing else needs building):
//   npx esbuild tools/bench/bench-distill.mjs --bundle --platform=node --format=esm --tsconfig=tsconfig.base.json \
//     --packages=external --outfile=tools/bench/tmp/bench-distill.mjs && node tools/bench/tmp/bench-distill.mjs [steps=4] [batch=8] [seq=128]
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import { distillIter } from '@koenbert/distill';
import { initBackend } from '@koenbert/tensor-utils';
import { mergeVocabsIter } from '@koenbert/tokenizer-merge';
import { backendLabel } from './backend-label.mjs';

const root = process.cwd(); // the repository root
const here = path.join(root, 'tools', 'bench');
const shared = path.resolve(root, '../shared/data');
if (!existsSync(path.join(here, 'bench-distill-torch.py'))) throw new Error('run from the repository root');
const [steps, batch, seq] = [Number(process.argv[2] ?? 4), Number(process.argv[3] ?? 8), Number(process.argv[4] ?? 128)];
const warmup = 1;
if (!existsSync(path.join(shared, 'tokenizers', 'kcelectra-base', 'vocab.txt'))) {
  console.log(`skipped: ${shared} is absent`);
  process.exit(0);
}
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-distill-bench-'));
const size = { hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, intermediate_size: 1536, max_position_embeddings: 512, type_vocab_size: 2 };
const backend = await initBackend();
process.on('exit', () => rmSync(work, { recursive: true, force: true })); // also after a crash

const tokenizers = { en: path.join(shared, 'tokenizers', 'bert-base-uncased'), ko: path.join(shared, 'tokenizers', 'kcelectra-base') };
const merged = path.join(work, 'merged');
for await (const event of mergeVocabsIter({ korean: tokenizers.ko, english: tokenizers.en, output: merged })) void event;
const mergeMap = JSON.parse(readFileSync(path.join(merged, 'merge-map.json'), 'utf8'));

async function saveModel(dir, vocab, task, tokenizerDir) {
  const model = BertModel.create({ config: { ...size, vocab_size: vocab }, task, seed: vocab });
  await fs.mkdir(dir, { recursive: true });
  await model.savePretrained(dir);
  model.dispose();
  for (const file of await fs.readdir(tokenizerDir)) {
    if (!file.endsWith('.safetensors') && file !== 'config.json') await fs.copyFile(path.join(tokenizerDir, file), path.join(dir, file));
  }
}
await saveModel(path.join(work, 'teacher-en'), mergeMap.englishVocabSize, 'base', tokenizers.en);
await saveModel(path.join(work, 'teacher-ko'), mergeMap.koreanVocabSize, 'base', tokenizers.ko);
await saveModel(path.join(work, 'student'), mergeMap.mergedVocabSize, 'masked-lm', merged);

const config = {
  student: path.join(work, 'student'),
  output: path.join(work, 'run'),
  teachers: { en: { model: path.join(work, 'teacher-en') }, ko: { model: path.join(work, 'teacher-ko') } },
  steps: warmup + steps,
  data: {
    en: [path.join(shared, 'text', 'en', 'wikitext-2-valid.txt')],
    ko: [`${path.join(shared, 'text', 'ko', 'klue-ner-train-sentences.tsv')}#1`],
    maxLength: seq,
    shuffleBuffer: 1000,
  },
  loss: { relationHeads: 48 },
  optim: { batchSize: batch },
  checkpoint: { every: 100000 },
};
const stepSeconds = [];
// The wasm heap never shrinks: its size after a step is the high-water mark of live tensors plus allocator slack.
const wasmHeapMb = () => (backend.name === 'wasm' ? tf.backend().wasm.HEAPU8.length / 2 ** 20 : NaN);
let liveMbAfterStep = 0;
const vmHwmMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
let stepsPeakMb = 0;
let last = performance.now();
for await (const event of distillIter(config, { handleProcessSignals: false })) {
  if (event.type === 'start') last = performance.now();
  if (event.type === 'step') {
    const now = performance.now();
    if (event.step > warmup) stepSeconds.push((now - last) / 1000);
    console.error(`${backend.name} step ${event.step} (${event.lang}): ${((now - last) / 1000).toFixed(2)} s, loss ${event.loss.toFixed(4)}, ${tf.memory().numTensors} tensors ` +
      `(${(tf.memory().numBytes / 2 ** 20).toFixed(0)} MB live), wasm heap ${wasmHeapMb().toFixed(0)} MB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
    liveMbAfterStep = tf.memory().numBytes / 2 ** 20;
    last = now;
    if (event.step === warmup + steps) stepsPeakMb = vmHwmMb(); // peak over the training steps
  }
}
const peakRssMb = vmHwmMb(); // also counts the final checkpoint and saving the HF folder

// The teacher's share of a step: its forward pass (inference only, up to the Q/K/V of its last layer) on a batch of the
// same size. This bounds what a faster inference engine for the teachers (e.g. onnxruntime-node) could save.
async function teacherForwardSeconds(dir, vocab) {
  const teacher = await BertModel.fromPretrained(dir, { task: 'base' });
  const ids = tf.tensor2d(Array.from({ length: batch * seq }, (_, i) => 1000 + ((i * 7919) % (vocab - 1000))), [batch, seq], 'int32');
  const mask = tf.ones([batch, seq], 'int32');
  const times = [];
  for (let rep = 0; rep < 4; rep++) {
    const start = performance.now();
    tf.tidy(() => teacher.forward({ inputIds: ids, attentionMask: mask, outputQkvLayers: [size.num_hidden_layers - 1] }).qkv[0].value.dataSync());
    if (rep > 0) times.push((performance.now() - start) / 1000);
  }
  tf.dispose([ids, mask]);
  teacher.dispose();
  return times;
}
const teacherSeconds = [...(await teacherForwardSeconds(path.join(work, 'teacher-en'), mergeMap.englishVocabSize)), ...(await teacherForwardSeconds(path.join(work, 'teacher-ko'), mergeMap.koreanVocabSize))];
const torchArgs = {
  ...{ hidden: 384, layers: 6, heads: 12, ffn: 1536 },
  teacherVocab: { en: mergeMap.englishVocabSize, ko: mergeMap.koreanVocabSize },
  studentVocab: mergeMap.mergedVocabSize,
  batch,
  seq,
  relationHeads: 48,
  warmup,
  steps,
};
const torch = JSON.parse(execFileSync('/usr/bin/python3', [path.join(here, 'bench-distill-torch.py'), JSON.stringify(torchArgs)], { encoding: 'utf8' }));

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ourStep = median(stepSeconds);
const torchStep = median(torch.stepSeconds);
console.log(`MiniLMv2 distill step: student H384 L6 A12 (vocab ${mergeMap.mergedVocabSize}), teachers en ${mergeMap.englishVocabSize} / ko ${mergeMap.koreanVocabSize},`);
console.log(`batch ${batch} × ${seq} tokens, 48 relation heads, median of ${steps} steps after ${warmup} warm-up; ${os.cpus().length} CPUs (${os.cpus()[0].model})`);
console.log('');
console.log('| runtime | s/step (median) | tokens/s | peak RSS while training (MB) |');
console.log('|---|---|---|---|');
console.log(`| @koenbert/distill, tfjs ${tf.version.tfjs} ${backendLabel(backend)} | ${ourStep.toFixed(2)} | ${((batch * seq) / ourStep).toFixed(0)} | ${stepsPeakMb.toFixed(0)} (${peakRssMb.toFixed(0)} incl. saving) |`);
console.log(`| PyTorch ${torch.torch} CPU, ${torch.threads} thread | ${torchStep.toFixed(2)} | ${((batch * seq) / torchStep).toFixed(0)} | ${torch.peakRssMb.toFixed(0)} |`);
console.log('');
console.log(`memory: ${liveMbAfterStep.toFixed(0)} MB of tensors live between steps (weights, moments); wasm heap ${wasmHeapMb().toFixed(0)} MB (high-water of a step)`);
console.log(`${backend.name} / PyTorch step time: ${(ourStep / torchStep).toFixed(1)}×`);
const teacherStep = median(teacherSeconds);
const teacherShare = teacherStep / ourStep;
console.log(`teacher forward (${backend.name}, median of 6): ${teacherStep.toFixed(2)} s = ${(100 * teacherShare).toFixed(0)} % of the step; ` +
  `an inference engine 5× faster for the teachers would make the step ${(100 * teacherShare * 0.8).toFixed(0)} % shorter (${(ourStep * (1 - 0.8 * teacherShare)).toFixed(2)} s, ` +
  `${((ourStep * (1 - 0.8 * teacherShare)) / torchStep).toFixed(1)}× PyTorch)`);
