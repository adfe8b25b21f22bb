// The original recipe's sizes, timed: a BERT-base-size fine-tuning step (classification, vocab 32,000 as klue/bert-base,
// batch 32 × 128) and a distillation step (146M student with the merged vocab 77,780, two 110M teachers, batch 16 × 256,
// 24 relation heads) on the backend initBackend picks, each micro-batched as the memory estimate requires
// (estimateTrainingMemory + checkStepMemory: the largest micro-batch that fits 90 % of the wasm heap, the whole batch
// where there is no cap). A step that fits no micro-batch is reported with the refusal line instead of a time. Random
// weights and token ids (speed does not depend on them); the fine-tuning step runs through eval-klue-glue's finetuneIter
// (microBatchSize), the distillation step through distill's relation loss with summed micro-batch gradients, clipping and
// AdamW. Prints seconds per step, what a whole run takes at that speed, and core-seconds per step (× the cores used).
// The PyTorch side (transformers' BertForSequenceClassification, fp32) runs in the same run when KOENBERT_BENCH_PYTHON
// (or the pinned venv of tools/interop) has transformers, and PyTorch's distillation step (tools/bench/bench-distill-torch.py,
// plain torch modules) at the recipe's sizes; KOENBERT_BENCH_TORCH_THREADS sets torch's threads (1); --no-torch skips both.
//
// On a GPU machine without node_modules (the H200 of tools/gpu-check.mjs): bundle it with esbuild (--external:'*.node'
// --external:tokenizers, a `require` banner as in gpu-check's --pack), put node_modules/webgpu/{package.json,index.js,
// dist/linux-x64/dawn.node} and node_modules/tokenizers/{package.json,index.js,tokenizers.linux-x64-gnu.node} beside it,
// and run with KOENBERT_BACKEND=webgpu (the wasm backend does not run from the bundle). Run that way on one H200 on
// 2026-12-04 (numbers in the root README).
// On the development VM (2 vCPU) one base-size step is a minute and GBs: run there on 2026-12-05 with --steps 1 --warmup 0,
// one thread each (docs/bench/base-size-cpu-2026-12-05.md). --small runs the same code
// on tiny sizes in seconds (what the tests of this tool's path use). Rerun from the repository root after
//   npx nx run-many -t build -p @koenbert/tensor-utils @koenbert/bert @koenbert/distill @koenbert/eval-klue-glue
//   npx esbuild tools/bench/bench-base-size.mjs --bundle --platform=node --format=esm --tsconfig=tsconfig.base.json \
//     --packages=external --outfile=tools/bench/tmp/bench-base-size.mjs && node tools/bench/tmp/bench-base-size.mjs [--small] [--steps 2] [--warmup 1] [--no-torch]
// (--small --heap-mib 10: a pretended 10 MiB heap, so the tiny steps run micro-batched too; checked 2026-12-04: the same
// path as at base size, micro-batches 4 of 8 and 2 of 4; --heap-mib 5: both refused with the one-line message; and the
// PyTorch line from the interop venv)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel, estimateTrainingMemory, parseBertConfig } from '@koenbert/bert';
import { finetuneIter, getTask } from '@koenbert/eval-klue-glue';
import { AdamW, checkStepMemory, clipByGlobalNorm, formatBytes, formatPlanDuration, initBackend, memoryLimits, probeWebGpu, SUGGESTION_MARGIN } from '@koenbert/tensor-utils';
import { relationGrads } from '../../packages/distill/src/lib/train/relation-grads';

const flag = (name) => process.argv.includes(`--${name}`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SMALL = flag('small');
const STEPS = arg('steps', 2);
const WARMUP = arg('warmup', 1);
const S = SMALL
  ? { hidden: 64, layers: 2, heads: 2, ffn: 256, vocabFt: 1000, vocabEn: 800, vocabKo: 900, vocabStudent: 1500, ftBatch: 8, ftSeq: 32, dBatch: 4, dSeq: 32, relationHeads: 4, distillSteps: 100_000 }
  : { hidden: 768, layers: 12, heads: 12, ffn: 3072, vocabFt: 32_000, vocabEn: 30_522, vocabKo: 32_000, vocabStudent: 77_780, ftBatch: 32, ftSeq: 128, dBatch: 16, dSeq: 256, relationHeads: 24, distillSteps: 100_000 };
const sizes = (vocab) => ({ vocab_size: vocab, hidden_size: S.hidden, num_hidden_layers: S.layers, num_attention_heads: S.heads, intermediate_size: S.ffn, max_position_embeddings: 512, type_vocab_size: 2 });

// a literal import, so that a bundle of this tool (for a GPU machine without node_modules) carries the webgpu backend
const loadModule = (name) => (name === '@tensorflow/tfjs-backend-webgpu' ? import('@tensorflow/tfjs-backend-webgpu') : import(name));
const backend = await initBackend({ logger: (line) => console.log(line), loadModule });
const limits = memoryLimits({ backend: backend.name, adapter: backend.name === 'webgpu' ? (await probeWebGpu()).adapter : undefined });
// --heap-mib N: pretend the heap is N MiB (exercises the micro-batch path with --small)
if (arg('heap-mib', 0) > 0) Object.assign(limits, { heapBytes: arg('heap-mib', 0) * 2 ** 20, heapName: `a pretended ${arg('heap-mib', 0)} MiB heap` });
// core-seconds make sense where the CPU does the work (wasm, cpu, tfjs-node); on a GPU they are left out
const cores = backend.name === 'wasm' ? Math.min(8, Number(process.env.KOENBERT_WASM_THREADS ?? os.cpus().length)) : backend.name === 'webgpu' ? undefined : os.cpus().length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const vmHwmMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024;
const need = (params) => {
  const e = estimateTrainingMemory(params);
  return { totalBytes: e.bytes.total, largestTensor: e.largestTensor, parts: [['total', e.bytes.total]] };
};
/** The largest micro-batch (keeping the batch) whose step fits the backend with the suggestion margin; undefined: none. */
function microBatch(batch, estimate) {
  for (let b = batch; b >= 1; b--) {
    const n = estimate({ batchSize: b, seqLength: 0, gradAccumulation: Math.ceil(batch / b) });
    const heapOk = limits.heapBytes === undefined || n.totalBytes <= (b === batch ? 1 : SUGGESTION_MARGIN) * limits.heapBytes;
    const tensorOk = limits.tensorBytes === undefined || n.largestTensor.bytes <= limits.tensorBytes;
    if (heapOk && tensorOk) return b;
  }
  return undefined;
}
const rows = [];

// ---- fine-tuning: eval-klue-glue's finetuneIter with microBatchSize
{
  const config = parseBertConfig({ ...sizes(S.vocabFt), hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 });
  const estimate = (size) => need({ model: config, task: 'sequence-classification', numLabels: 2, batchSize: size.batchSize, seqLength: S.ftSeq, gradAccumulation: size.gradAccumulation });
  const micro = microBatch(S.ftBatch, estimate);
  const label = `fine-tuning H${S.hidden} L${S.layers} vocab ${S.vocabFt}, batch ${S.ftBatch} × ${S.ftSeq}`;
  if (micro === undefined) rows.push({ label, refused: checkStepMemory({ what: 'fine-tuning', size: { batchSize: S.ftBatch, seqLength: S.ftSeq, gradAccumulation: 1 }, estimate, limits, options: { batchSize: '--batchSize', seqLength: '--maxLength', microBatchSize: '--microBatchSize' } }).message });
  else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'koenbert-base-bench-'));
    const model = BertModel.create({ config, task: 'sequence-classification', numLabels: 2, seed: 1 });
    await model.savePretrained(dir);
    model.dispose();
    const example = (i) => {
      const inputIds = [2, ...Array.from({ length: S.ftSeq - 2 }, (_, t) => 5 + ((i * 7919 + t * 104729) % (S.vocabFt - 5))), 3];
      return { id: String(i), inputIds, tokenTypeIds: inputIds.map(() => 0), label: i % 2 };
    };
    const train = Array.from({ length: S.ftBatch * (WARMUP + STEPS) }, (_, i) => example(i));
    const times = [];
    let last = 0;
    for await (const event of finetuneIter({
      task: getTask('glue-sst2'),
      model: dir,
      train,
      evalSet: [example(0)],
      hyperparameters: { lr: 2e-5, epochs: 1, batchSize: S.ftBatch, maxLength: S.ftSeq, warmupRatio: 0, weightDecay: 0.01, seed: 1 },
      checkpoint: 'last',
      tokenTypeIds: true,
      padId: 0,
      evalBatchSize: 8,
      maxGradNorm: 1,
      microBatchSize: micro,
    })) {
      if (event.type === 'start') last = performance.now();
      if (event.type === 'step') {
        const now = performance.now();
        if (event.step > WARMUP) times.push((now - last) / 1000);
        console.log(`fine-tuning step ${event.step}: ${((now - last) / 1000).toFixed(2)} s, loss ${event.loss.toFixed(4)}`);
        last = now;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    rows.push({ label, micro, seconds: median(times), estimate: estimate({ batchSize: micro, gradAccumulation: Math.ceil(S.ftBatch / micro) }).totalBytes, runSteps: 1000 });
  }
}

// ---- distillation: the relation loss of distill, micro-batch gradients summed, clipping, AdamW
{
  const student = parseBertConfig({ ...sizes(S.vocabStudent) });
  const teachers = [parseBertConfig(sizes(S.vocabEn)), parseBertConfig(sizes(S.vocabKo))];
  const estimate = (size) => need({ model: student, task: 'base', batchSize: size.batchSize, seqLength: S.dSeq, gradAccumulation: size.gradAccumulation, teachers, relationHeads: S.relationHeads, dropout: true });
  const micro = microBatch(S.dBatch, estimate);
  const label = `distillation student ${S.vocabStudent} + teachers ${S.vocabEn} / ${S.vocabKo} (H${S.hidden} L${S.layers}), batch ${S.dBatch} × ${S.dSeq}, R ${S.relationHeads}`;
  if (micro === undefined) {
    rows.push({ label, refused: checkStepMemory({ what: 'distill', size: { batchSize: S.dBatch, seqLength: S.dSeq, gradAccumulation: 1 }, estimate, limits, options: { batchSize: '--optim.batchSize', seqLength: '--data.maxLength', gradAccumulation: '--optim.gradAccumulation' } }).message });
  } else {
    const model = BertModel.create({ config: student, task: 'base', seed: 1 });
    const teacherModels = teachers.map((config, i) => BertModel.create({ config, task: 'base', seed: 2 + i }));
    const optimizer = new AdamW({ lr: 5e-5, beta2: 0.98, weightDecay: 0.01 });
    const params = model.trainableParams();
    const ids = (vocab, salt) => Int32Array.from({ length: micro * S.dSeq }, (_, i) => 5 + ((i * 7919 + salt * 104729) % (vocab - 5)));
    const times = [];
    for (let step = 1; step <= WARMUP + STEPS; step++) {
      const started = performance.now();
      const teacher = teacherModels[step % 2];
      let grads;
      for (let m = 0; m < Math.ceil(S.dBatch / micro); m++) {
        const batch = { lang: step % 2 ? 'ko' : 'en', batchSize: micro, seqLength: S.dSeq, teacherIds: ids(teacher.config.vocab_size, m), studentIds: ids(S.vocabStudent, m + 7), attentionMask: new Int32Array(micro * S.dSeq).fill(1), tokens: micro * S.dSeq };
        const result = relationGrads({ batch, teacher, student: model, teacherLayer: S.layers - 1, studentLayer: S.layers - 1, relationHeads: S.relationHeads, weights: { qq: 1, kk: 1, vv: 1 }, temperature: 1, scale: micro / S.dBatch, dropoutSeed: step * 100 + m });
        if (!grads) grads = result.grads;
        else for (const [name, g] of result.grads) {
          const previous = grads.get(name);
          grads.set(name, tf.add(previous, g));
          tf.dispose([previous, g]);
        }
      }
      const clipped = clipByGlobalNorm(grads, 1);
      tf.dispose([...grads.values()]);
      optimizer.applyGradients(params, clipped.grads, 5e-5);
      tf.dispose([...clipped.grads.values()]);
      const seconds = (performance.now() - started) / 1000;
      if (step > WARMUP) times.push(seconds);
      console.log(`distillation step ${step}: ${seconds.toFixed(2)} s`);
    }
    optimizer.dispose();
    model.dispose();
    for (const t of teacherModels) t.dispose();
    rows.push({ label, micro, seconds: median(times), estimate: estimate({ batchSize: micro, gradAccumulation: Math.ceil(S.dBatch / micro) }).totalBytes, runSteps: S.distillSteps });
  }
}

// ---- PyTorch (transformers) in the same run, where a Python with transformers is at hand
let torch;
let torchDistill;
if (!flag('no-torch')) {
  const venvRoot = path.join(os.homedir(), '.cache', 'koenbert');
  const venv = existsSync(venvRoot) ? readdirSync(venvRoot).find((name) => name.startsWith('interop-venv-')) : undefined;
  const python = process.env.KOENBERT_BENCH_PYTHON ?? (venv ? path.join(venvRoot, venv, 'bin', 'python') : '/usr/bin/python3');
  const args = JSON.stringify({ ...sizes(S.vocabFt), batch: S.ftBatch, seq: S.ftSeq, warmup: WARMUP, steps: STEPS, threads: Number(process.env.KOENBERT_BENCH_TORCH_THREADS ?? 1) });
  try {
    torch = JSON.parse(execFileSync(python, [path.join(process.cwd(), 'tools', 'bench', 'bench_base_size_torch.py'), args], { encoding: 'utf8' }).trim().split('\n').pop());
  } catch (error) {
    torch = { skipped: String(error.message ?? error).split('\n')[0] };
  }
  // the distillation step in plain torch modules (tools/bench/bench-distill-torch.py): what a backend without the wasm
  // heap's 4 GiB would have to beat at the recipe's sizes
  const distillArgs = JSON.stringify({
    hidden: S.hidden, layers: S.layers, heads: S.heads, ffn: S.ffn, teacherVocab: { en: S.vocabEn, ko: S.vocabKo }, studentVocab: S.vocabStudent,
    batch: S.dBatch, seq: S.dSeq, relationHeads: S.relationHeads, warmup: WARMUP, steps: STEPS, threads: Number(process.env.KOENBERT_BENCH_TORCH_THREADS ?? 1),
  });
  try {
    torchDistill = JSON.parse(execFileSync(python, [path.join(process.cwd(), 'tools', 'bench', 'bench-distill-torch.py'), distillArgs], { encoding: 'utf8' }).trim().split('\n').pop());
  } catch (error) {
    torchDistill = { skipped: String(error.message ?? error).split('\n')[0] };
  }
}

console.log('');
console.log(`backend ${backend.name}, ${cores ?? 'GPU, not counted'} core${cores === 1 ? '' : 's'} (${os.cpus()[0]?.model ?? '?'}); median of ${STEPS} steps after ${WARMUP} warm-up; ${new Date().toISOString().slice(0, 10)}`);
console.log('| step | micro-batch | estimate | s/step | core-s/step | whole run at this speed | peak RSS (MB) |');
console.log('|---|---:|---:|---:|---:|---|---:|');
for (const row of rows) {
  if (row.refused) console.log(`| ${row.label} | – | – | does not fit | – | ${row.refused} | – |`);
  else console.log(`| ${row.label} | ${row.micro} | ${formatBytes(row.estimate)} | ${row.seconds.toFixed(2)} | ${cores === undefined ? '–' : (row.seconds * cores).toFixed(1)} | ${row.runSteps.toLocaleString('en-US')} steps ≈ ${formatPlanDuration(row.seconds * row.runSteps)} | ${vmHwmMb().toFixed(0)} |`);
}
if (torch?.stepSeconds) console.log(`| PyTorch ${torch.torch} (transformers ${torch.transformers}) CPU, ${torch.threads} thread(s): fine-tuning, batch ${S.ftBatch} × ${S.ftSeq} | ${S.ftBatch} | – | ${median(torch.stepSeconds).toFixed(2)} | ${(median(torch.stepSeconds) * torch.threads).toFixed(1)} | – | ${torch.peakRssMb.toFixed(0)} |`);
else if (torch) console.log(`PyTorch side skipped: ${torch.skipped ?? 'no result'}`);
if (torchDistill?.stepSeconds) {
  const seconds = median(torchDistill.stepSeconds);
  console.log(`| PyTorch ${torchDistill.torch} CPU, ${torchDistill.threads} thread(s): distillation, batch ${S.dBatch} × ${S.dSeq}, R ${S.relationHeads} | ${S.dBatch} | – | ${seconds.toFixed(2)} | ${(seconds * torchDistill.threads).toFixed(1)} | ${S.distillSteps.toLocaleString('en-US')} steps ≈ ${formatPlanDuration(seconds * S.distillSteps)} | ${torchDistill.peakRssMb.toFixed(0)} |`);
} else if (torchDistill) console.log(`PyTorch distillation side skipped: ${torchDistill.skipped ?? 'no result'}`);
