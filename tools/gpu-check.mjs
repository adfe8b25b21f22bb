// GPU check: which WebGPU adapter Dawn finds (vendor, architecture, limits), then the time of a BERT-base-size
// masked-LM training step (vocab 30522, hidden 768, 12 layers, 12 heads, FFN 3072, batch 16 × 128, 15 % of tokens
// masked, logits only at the masked positions, AdamW + global-norm clipping) on koenbert's webgpu backend — median of
// the timed steps after warm-up, with dropout 0.1 (a real training step) and with dropout off (GPU work alone) — and,
// where `python3` has torch with CUDA, the same step in plain PyTorch (HF-style BERT, fp32, no TF32) beside it.
// Writes everything as JSON to --out.
//
//   npx nx run-many -t build -p @koenbert/tensor-utils @koenbert/bert
//   node tools/gpu-check.mjs --out gpu-check.json                 # BERT-base size: for a real GPU (~1–3 min)
//   KOENBERT_WASM_THREADS=1 node tools/gpu-check.mjs --small --out /tmp/gpu-check.json   # tiny config: llvmpipe, CI
//
// Without network on the GPU machine: bundle it once where the workspace is installed, carry the folder, run it there
// (it needs only node ≥ 20 and a Vulkan driver there; python3 with torch for the comparison):
//   node tools/gpu-check.mjs --pack out/gpu-check                 # → out/gpu-check/gpu-check.mjs + node_modules/webgpu (dawn.node)
//   node out/gpu-check/gpu-check.mjs --out gpu-check.json
//
// Options: --small, --batch N, --seq N, --warmup N, --steps N, --budget-s S (stop timing a variant after S seconds),
// --no-torch, --torch-device cuda|cpu (cpu: to try the PyTorch side without a GPU), --python PATH, --force-software
// (run on a software adapter even without --small), --no-profile (skip the breakdown of one step: the time of forward
// + backward, clipping and AdamW, each waited for, and tf.profile's slowest kernels).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { AdamW, SeededRng, clipByGlobalNorm, initBackend, probeWebGpu } from '@koenbert/tensor-utils';
import { BertModel, crossEntropyLoss, parseBertConfig } from '@koenbert/bert';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    pack: { type: 'string' },
    small: { type: 'boolean', default: false },
    batch: { type: 'string' },
    seq: { type: 'string' },
    warmup: { type: 'string' },
    steps: { type: 'string' },
    'budget-s': { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    'torch-device': { type: 'string', default: 'cuda' },
    python: { type: 'string', default: 'python3' },
    'force-software': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
  },
});

if (args.pack) {
  await pack(args.pack);
  process.exit(0);
}

const BASE = { vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 512 };
const SMALL = { vocab_size: 1000, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256, max_position_embeddings: 128 };
const sizes = args.small ? SMALL : BASE;
const batch = Number(args.batch ?? (args.small ? 4 : 16));
const seq = Number(args.seq ?? (args.small ? 32 : 128));
const warmup = Number(args.warmup ?? 2);
const steps = Number(args.steps ?? 5);
const budgetS = Number(args['budget-s'] ?? (args.small ? 60 : 75));
const MASK_ID = 4;
const LR = 1e-4;

const result = {
  tool: 'tools/gpu-check.mjs',
  date: new Date().toISOString(),
  host: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model },
  config: { ...sizes, batch, seq, maskedFraction: 0.15, task: 'masked-lm (logits at the masked positions only)', optimizer: 'AdamW lr 1e-4 wd 0.01 + clip 1.0', warmup, steps, budgetS },
};
const out = (line) => console.log(line);
const save = () => {
  if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
};

// 1. The adapter.
const probe = await probeWebGpu();
result.adapter = { ...probe };
out(`adapter: ${probe.adapter ? JSON.stringify({ vendor: probe.adapter.vendor, architecture: probe.adapter.architecture, device: probe.adapter.device, description: probe.adapter.description }) : 'none'} — ${probe.reason}`);
if (probe.adapter) {
  out(`  limits: maxBufferSize ${mib(probe.adapter.maxBufferSize)}, maxStorageBufferBindingSize ${mib(probe.adapter.maxStorageBufferBindingSize)}; fallback adapter: ${probe.adapter.isFallbackAdapter}`);
}
const auto = await describeDefaultChoice();
result.defaultChoice = auto;
out(`koenbert's default backend choice here: ${auto}`);

// 2. The training step on webgpu.
if (!probe.available) {
  result.webgpu = { skipped: probe.reason };
  out(`webgpu: skipped (${probe.reason})`);
} else if (!probe.hardware && !args.small && !args['force-software']) {
  result.webgpu = { skipped: 'software adapter: rerun with --small (or --force-software for the full size)' };
  out(`webgpu: skipped — ${probe.reason}; BERT-base on a software adapter takes far too long: use --small (or --force-software)`);
} else {
  const choice = await initBackend({ backend: 'webgpu', loadModule: (name) => (name === '@tensorflow/tfjs-backend-webgpu' ? import('@tensorflow/tfjs-backend-webgpu') : import(name)) });
  out(`backend: ${choice.name} (${choice.reason})`);
  if (choice.name !== 'webgpu') {
    result.webgpu = { skipped: choice.reason };
  } else {
    result.webgpu = {};
    for (const dropout of [0.1, 0]) {
      const key = dropout === 0 ? 'dropoutOff' : 'dropout0.1';
      result.webgpu[key] = await timeWebGpu(dropout);
      const r = result.webgpu[key];
      out(`webgpu, dropout ${dropout}: ${r.stepMs.map((ms) => ms.toFixed(0)).join(', ')} ms → median ${r.medianMs.toFixed(1)} ms/step, ${r.tokensPerSecond.toFixed(0)} tokens/s (first step incl. shader compilation ${r.firstStepMs.toFixed(0)} ms; losses ${r.losses.map((l) => l.toFixed(3)).join(' ')})`);
      save();
    }
  }
}
save();

// 3. The same step in PyTorch.
if (args['no-torch']) {
  result.torch = { skipped: '--no-torch' };
} else {
  result.torch = runTorch();
  if (result.torch.skipped) out(`PyTorch: skipped (${result.torch.skipped})`);
  else {
    for (const key of ['dropout0.1', 'dropoutOff']) {
      const r = result.torch[key];
      out(`PyTorch ${result.torch.torch} (${result.torch.device}${result.torch.deviceName ? `: ${result.torch.deviceName}` : ''}), ${key}: median ${r.medianMs.toFixed(1)} ms/step, ${r.tokensPerSecond.toFixed(0)} tokens/s`);
    }
  }
}
if (result.webgpu?.['dropout0.1'] && result.torch?.['dropout0.1']) {
  result.ratio = {};
  for (const key of ['dropout0.1', 'dropoutOff']) result.ratio[key] = result.webgpu[key].medianMs / result.torch[key].medianMs;
  out(`koenbert webgpu / PyTorch step time: ${result.ratio['dropout0.1'].toFixed(2)}× with dropout 0.1, ${result.ratio.dropoutOff.toFixed(2)}× without`);
}
save();
if (args.out) out(`wrote ${args.out}`);
process.exit(0);

function mib(bytes) {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** What initBackend would pick by itself (without starting anything: the probe's verdict and the native bindings). */
async function describeDefaultChoice() {
  const requireHere = createRequire(import.meta.url);
  const has = (name) => {
    try {
      requireHere.resolve(`${name}/package.json`);
      return true;
    } catch {
      return false;
    }
  };
  if (has('@tensorflow/tfjs-node-gpu')) return 'tensorflow (@tensorflow/tfjs-node-gpu is installed)';
  if (probe.hardware) return `webgpu (${probe.reason})`;
  if (has('@tensorflow/tfjs-node')) return 'tensorflow (@tensorflow/tfjs-node is installed)';
  return `wasm (webgpu: ${probe.reason})`;
}

/** A fixed batch: random tokens, 15 % masked (at least one per row), and the flat positions of the masked ones. */
function makeBatch() {
  const rng = new SeededRng(1);
  const ids = [];
  const positions = [];
  const labels = [];
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const token = 5 + rng.int(sizes.vocab_size - 5);
      const masked = s === 1 || (s > 0 && rng.nextFloat() < 0.15);
      ids.push(masked ? MASK_ID : token);
      if (masked) {
        positions.push(b * seq + s);
        labels.push(token);
      }
    }
  }
  return { ids, positions, labels };
}

function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function timeWebGpu(dropout) {
  const config = parseBertConfig({ ...sizes, hidden_dropout_prob: dropout, attention_probs_dropout_prob: dropout });
  const model = BertModel.create({ config, task: 'masked-lm', seed: 0 });
  const params = model.trainableParams();
  const optimizer = new AdamW({ lr: LR, weightDecay: 0.01 });
  const data = makeBatch();
  const inputIds = tf.tensor2d(data.ids, [batch, seq], 'int32');
  const attentionMask = tf.ones([batch, seq], 'int32');
  const logitPositions = tf.tensor1d(data.positions, 'int32');
  const labels = tf.tensor1d(data.labels, 'int32');
  const stepMs = [];
  const losses = [];
  let firstStepMs = 0;
  const started = performance.now();
  for (let step = 0; step < warmup + steps; step++) {
    if (step >= warmup + 1 && (performance.now() - started) / 1000 > budgetS) break;
    const t0 = performance.now();
    const { loss, grads } = model.valueAndGrads(() =>
      crossEntropyLoss({ logits: model.forward({ inputIds, attentionMask, logitPositions, training: dropout > 0, seed: step }).logits, labels }),
    );
    const clipped = clipByGlobalNorm(grads, 1.0); // reads the global norm back: one GPU sync per step, as in training
    optimizer.applyGradients(params, clipped.grads);
    losses.push((await loss.data())[0]); // waits for the whole step
    tf.dispose([loss, ...grads.values(), ...clipped.grads.values()]);
    const ms = performance.now() - t0;
    if (step === 0) firstStepMs = ms;
    if (step >= warmup) stepMs.push(ms);
  }
  const breakdown = args['no-profile'] ? undefined : await profileStep({ model, optimizer, params, inputIds, attentionMask, logitPositions, labels, dropout });
  tf.dispose([inputIds, attentionMask, logitPositions, labels]);
  optimizer.dispose();
  model.dispose();
  const medianMs = median(stepMs);
  return { stepMs, medianMs, tokensPerSecond: (batch * seq) / (medianMs / 1000), firstStepMs, losses, tensorsLeft: tf.memory().numTensors, breakdown };
}

/**
 * One more step in phases, each waited for (forward + backward, clipping, AdamW: the last parameter's new value is read,
 * and the GPU runs its queue in order), then one step under tf.profile: kernel calls and the slowest kernels.
 */
async function profileStep({ model, optimizer, params, inputIds, attentionMask, logitPositions, labels, dropout }) {
  const lossFn = (seed) => () =>
    crossEntropyLoss({ logits: model.forward({ inputIds, attentionMask, logitPositions, training: dropout > 0, seed }).logits, labels });
  const lastParam = () => [...params.values()].at(-1);
  const t0 = performance.now();
  const { loss, grads } = model.valueAndGrads(lossFn(100));
  const t0e = performance.now(); // JavaScript has issued every kernel of forward + backward
  await loss.data();
  const t1 = performance.now();
  const clipped = clipByGlobalNorm(grads, 1.0);
  const t2 = performance.now();
  optimizer.applyGradients(params, clipped.grads);
  const t2e = performance.now();
  await lastParam().data();
  const t3 = performance.now();
  tf.dispose([loss, ...grads.values(), ...clipped.grads.values()]);
  const phasesMs = { forwardBackward: t1 - t0, forwardBackwardIssue: t0e - t0, clip: t2 - t1, adamw: t3 - t2, adamwIssue: t2e - t2 };
  const profile = await tf.profile(async () => {
    const step = model.valueAndGrads(lossFn(101));
    const c = clipByGlobalNorm(step.grads, 1.0);
    optimizer.applyGradients(params, c.grads);
    await lastParam().data();
    tf.dispose([step.loss, ...step.grads.values(), ...c.grads.values()]);
  });
  const byName = new Map();
  for (const kernel of profile.kernels) {
    const entry = byName.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(kernel.kernelTimeMs) || 0;
    entry.calls += 1;
    byName.set(kernel.name, entry);
  }
  const kernels = [...byName].sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => ({ name, ms: Number(e.ms.toFixed(2)), calls: e.calls }));
  const kernelMs = kernels.reduce((sum, k) => sum + k.ms, 0);
  const breakdown = { phasesMs, timestampQuery: Boolean(tf.backend().supportTimestampQuery), kernelCalls: profile.kernels.length, kernelMsSum: kernelMs, topKernels: kernels.slice(0, 12) };
  out(
    `  one step in phases (each waited for): forward+backward ${phasesMs.forwardBackward.toFixed(0)} ms (issuing its kernels: ${phasesMs.forwardBackwardIssue.toFixed(0)} ms), ` +
      `clipping ${phasesMs.clip.toFixed(0)} ms, AdamW ${phasesMs.adamw.toFixed(0)} ms (issuing: ${phasesMs.adamwIssue.toFixed(0)} ms); ${breakdown.kernelCalls} kernel calls, ` +
      `their profiled times (${breakdown.timestampQuery ? 'GPU timestamps' : 'CPU-side'}) sum to ${kernelMs.toFixed(0)} ms`,
  );
  out(`  slowest kernels: ${breakdown.topKernels.slice(0, 8).map((k) => `${k.name} ${k.ms.toFixed(0)} ms/${k.calls}`).join(', ')}`);
  return breakdown;
}

function runTorch() {
  const python = args.python;
  const device = args['torch-device'];
  const check = spawnSync(python, ['-c', `import torch; assert ${device === 'cuda' ? 'torch.cuda.is_available()' : 'True'}; print(torch.__version__)`], { encoding: 'utf8' });
  if (check.status !== 0) {
    const why = (check.stderr || check.error?.message || '').trim().split('\n').pop();
    return { skipped: `${python}: no torch${device === 'cuda' ? ' with CUDA' : ''} (${why})` };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'koenbert-gpu-check-'));
  const script = path.join(dir, 'gpu_check_torch.py');
  writeFileSync(script, torchScript());
  const spec = { ...sizes, batch, seq, warmup, steps, device, budget_s: budgetS, lr: LR, mask_id: MASK_ID, ...makeBatch() };
  writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
  try {
    const stdout = execFileSync(python, [script, path.join(dir, 'spec.json')], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 });
    const parsed = JSON.parse(stdout.trim().split('\n').pop());
    for (const key of ['dropout0.1', 'dropoutOff']) parsed[key].tokensPerSecond = (batch * seq) / (parsed[key].medianMs / 1000);
    return parsed;
  } catch (error) {
    return { skipped: `the PyTorch step failed: ${String(error.stderr ?? error.message).trim().split('\n').slice(-3).join(' | ')}` };
  }
}

/** Bundles this tool (tfjs, tfjs-backend-webgpu, koenbert's dist) into one file and copies Dawn's binary beside it. */
async function pack(dir) {
  const esbuildName = 'esbuild';
  const { build } = await import(esbuildName);
  mkdirSync(dir, { recursive: true });
  const self = fileURLToPath(import.meta.url);
  await build({
    entryPoints: [self],
    outfile: path.join(dir, 'gpu-check.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['esbuild', '*.node'],
    banner: { js: "import { createRequire as __koenbertCreateRequire } from 'node:module'; const require = __koenbertCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const requireHere = createRequire(self);
  const webgpuDir = path.dirname(requireHere.resolve('webgpu/package.json'));
  const platform = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
  const target = path.join(dir, 'node_modules', 'webgpu');
  mkdirSync(path.join(target, 'dist', platform), { recursive: true });
  copyFileSync(path.join(webgpuDir, 'package.json'), path.join(target, 'package.json'));
  copyFileSync(path.join(webgpuDir, 'LICENSE.md'), path.join(target, 'LICENSE.md'));
  copyFileSync(path.join(webgpuDir, 'dist', platform, 'dawn.node'), path.join(target, 'dist', platform, 'dawn.node'));
  const size = (file) => statSync(file).size;
  const bundleBytes = size(path.join(dir, 'gpu-check.mjs'));
  const dawnBytes = size(path.join(target, 'dist', platform, 'dawn.node'));
  console.log(`packed ${dir}: gpu-check.mjs ${mib(bundleBytes)} + node_modules/webgpu (dawn.node for ${platform}) ${mib(dawnBytes)} = ${mib(bundleBytes + dawnBytes)}`);
  console.log(`run it there with: node ${path.join(dir, 'gpu-check.mjs')} --out gpu-check.json`);
}

// The PyTorch side: the same model (post-LN BERT, erf GELU, LayerNorm eps 1e-12, tied decoder + bias, HF init std 0.02),
// the same batch and masked positions, AdamW (weight decay off for biases and LayerNorm) + clip_grad_norm_(1.0), fp32
// with TF32 off (tfjs-webgpu computes in fp32), CUDA synchronised after each step.
function torchScript() {
  return String.raw`
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

spec = json.load(open(sys.argv[1]))
V, H, L, A, FF, S, B = spec['vocab_size'], spec['hidden_size'], spec['num_hidden_layers'], spec['num_attention_heads'], spec['intermediate_size'], spec['seq'], spec['batch']
device = torch.device(spec['device'])
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False

class Layer(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p
        self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
        self.attn_out, self.attn_norm = nn.Linear(H, H), nn.LayerNorm(H, eps=1e-12)
        self.inter, self.out, self.out_norm = nn.Linear(H, FF), nn.Linear(FF, H), nn.LayerNorm(H, eps=1e-12)
    def forward(self, x, bias):
        b, s, _ = x.shape
        split = lambda t: t.view(b, s, A, H // A).transpose(1, 2)
        scores = split(self.query(x)) @ split(self.key(x)).transpose(-1, -2) / math.sqrt(H // A) + bias
        probs = F.dropout(torch.softmax(scores, dim=-1), self.p, self.training)
        context = (probs @ split(self.value(x))).transpose(1, 2).reshape(b, s, H)
        x = self.attn_norm(F.dropout(self.attn_out(context), self.p, self.training) + x)
        return self.out_norm(F.dropout(self.out(F.gelu(self.inter(x))), self.p, self.training) + x)

class BertMlm(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p
        self.words, self.positions, self.types = nn.Embedding(V, H), nn.Embedding(spec['max_position_embeddings'], H), nn.Embedding(2, H)
        self.emb_norm = nn.LayerNorm(H, eps=1e-12)
        self.layers = nn.ModuleList([Layer(p) for _ in range(L)])
        self.transform, self.transform_norm = nn.Linear(H, H), nn.LayerNorm(H, eps=1e-12)
        self.decoder_bias = nn.Parameter(torch.zeros(V))
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
    def forward(self, ids, mask, positions):
        s = ids.shape[1]
        x = self.words(ids) + self.positions.weight[:s] + self.types.weight[0]
        x = F.dropout(self.emb_norm(x), self.p, self.training)
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, bias)
        h = x.reshape(-1, H)[positions]
        h = self.transform_norm(F.gelu(self.transform(h)))
        return h @ self.words.weight.T + self.decoder_bias

def sync():
    if device.type == 'cuda':
        torch.cuda.synchronize()

def run(p):
    torch.manual_seed(0)
    model = BertMlm(p).to(device).train()
    no_decay = [q for n, q in model.named_parameters() if 'bias' in n or 'norm' in n]
    decay = [q for n, q in model.named_parameters() if not ('bias' in n or 'norm' in n)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=spec['lr'])
    ids = torch.tensor(spec['ids'], device=device).view(B, S)
    mask = torch.ones(B, S, dtype=torch.int64, device=device)
    positions = torch.tensor(spec['positions'], device=device)
    labels = torch.tensor(spec['labels'], device=device)
    times, losses = [], []
    started = time.perf_counter()
    for step in range(spec['warmup'] + spec['steps']):
        if step >= spec['warmup'] + 1 and time.perf_counter() - started > spec['budget_s']:
            break
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(ids, mask, positions), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        sync()
        if step >= spec['warmup']:
            times.append((time.perf_counter() - t0) * 1000)
    times_sorted = sorted(times)
    return {'stepMs': times, 'medianMs': times_sorted[len(times_sorted) // 2], 'losses': losses}

result = {'torch': torch.__version__, 'device': spec['device'], 'deviceName': torch.cuda.get_device_name(0) if device.type == 'cuda' else None, 'tf32': False}
result['dropout0.1'] = run(0.1)
result['dropoutOff'] = run(0.0)
print(json.dumps(result))
`;
}
