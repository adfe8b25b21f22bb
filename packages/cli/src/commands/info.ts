import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { readBertConfig } from '@koenbert/bert';
import { checkStepMemory, formatBytes, initBackend, probeWebGpu, readSafetensorsHeader, readTorchStateDict, resolveModelDir, type BackendChoice } from '@koenbert/tensor-utils';
import type { CliContext } from './cli-context';
import { limitsOf, plannedFinetuneStep } from './step-memory';

const PACKAGES = ['@koenbert/cli', '@koenbert/tensor-utils', '@koenbert/bert', '@koenbert/tokenizer-merge', '@koenbert/embed-init', '@koenbert/distill', '@koenbert/eval-klue-glue'];

/** Versions of the koenbert packages and of tfjs, as installed. */
export function packageVersions(): Record<string, string> {
  const require = createRequire(__filename);
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      versions[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      versions[name] = 'not installed';
    }
  }
  versions['@tensorflow/tfjs'] = tf.version.tfjs;
  return versions;
}

/** Lines describing a BERT folder (or Hub id): sizes from config.json, parameters and dtype from the weight file's header. */
export async function modelSummary(model: string): Promise<string[]> {
  const dir = await resolveModelDir({ repoOrPath: model, files: ['config.json'], optionalFiles: ['model.safetensors', 'pytorch_model.bin', 'vocab.txt', 'tokenizer.json'] });
  const config = await readBertConfig(dir);
  const lines = [
    `model: ${model}${dir !== model ? ` (${dir})` : ''}`,
    `  architecture: ${Array.isArray(config.architectures) ? config.architectures.join(', ') : 'unknown'}`,
    `  hidden ${config.hidden_size}, layers ${config.num_hidden_layers}, heads ${config.num_attention_heads}, ffn ${config.intermediate_size}, max positions ${config.max_position_embeddings}`,
    `  vocab size: ${config.vocab_size} (config.json)`,
  ];
  const safetensors = path.join(dir, 'model.safetensors');
  const torch = path.join(dir, 'pytorch_model.bin');
  if (existsSync(safetensors)) {
    const header = await readSafetensorsHeader(safetensors);
    let params = 0;
    const dtypes = new Set<string>();
    for (const entry of header.entries.values()) {
      params += entry.shape.reduce((a, b) => a * b, 1);
      dtypes.add(entry.dtype);
    }
    const size = (await fs.stat(safetensors)).size;
    lines.push(`  parameters: ${params.toLocaleString('en-US')} (${(params / 1e6).toFixed(2)}M, ${[...dtypes].join('/')}) in ${header.entries.size} tensors`);
    lines.push(`  weights: model.safetensors, ${(size / 2 ** 20).toFixed(1)} MiB`);
  } else if (existsSync(torch)) {
    const tensors = await readTorchStateDict(torch);
    let params = 0;
    for (const record of tensors.values()) params += record.shape.reduce((a, b) => a * b, 1);
    lines.push(`  parameters: ${params.toLocaleString('en-US')} (${(params / 1e6).toFixed(2)}M) in ${tensors.size} tensors`);
    lines.push(`  weights: pytorch_model.bin, ${((await fs.stat(torch)).size / 2 ** 20).toFixed(1)} MiB`);
  } else lines.push('  weights: none found');
  const vocab = path.join(dir, 'vocab.txt');
  if (existsSync(vocab)) lines.push(`  tokenizer vocab.txt: ${(await fs.readFile(vocab, 'utf8')).split('\n').filter((l) => l !== '').length} tokens`);
  if (existsSync(path.join(dir, 'merge-map.json'))) lines.push('  merged tokenizer: merge-map.json present');
  return lines;
}

/** The WebGPU adapter Dawn found (or why none) and whether koenbert picks it by itself, with the limits on tensor size. */
async function webGpuLines(): Promise<string[]> {
  const probe = await probeWebGpu();
  const lines = [`webgpu: ${probe.hardware ? `${probe.reason}: picked after @tensorflow/tfjs-node-gpu` : probe.reason}`];
  if (probe.adapter) {
    const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
    lines.push(`  limits: largest buffer ${mib(probe.adapter.maxBufferSize)}, largest tensor a shader binds ${mib(probe.adapter.maxStorageBufferBindingSize)}`);
  }
  return lines;
}

/**
 * What fine-tuning `model` needs on the picked backend (config.json only): at eval's default batch 32 × 128, with the
 * parts, whether it fits, and the ways out when it does not.
 */
export async function memoryLines(model: string, choice: BackendChoice): Promise<string[]> {
  const step = await plannedFinetuneStep(model);
  const limits = await limitsOf(choice);
  const check = checkStepMemory({ ...step, limits });
  const cap = limits.heapBytes !== undefined ? `${limits.heapName}` : limits.tensorBytes !== undefined ? `${limits.tensorName}, per tensor` : `no cap on ${choice.name}; this machine has ${formatBytes(limits.systemBytes)}`;
  const lines = [
    `  training step estimate on ${choice.name} (fine-tuning, batch ${step.size.batchSize} × ${step.size.seqLength}; ${cap}):`,
    `    ${check.need.parts.map(([name, bytes]) => `${name} ${formatBytes(bytes)}`).join(' + ')} = ${formatBytes(check.need.totalBytes)}: ${check.fits ? 'fits' : 'does not fit'}`,
  ];
  if (!check.fits) lines.push(`    ${check.over}. ${check.waysOut}`);
  if (check.warning) lines.push(`    warning: ${check.warning}`);
  return lines;
}

export function infoCommand(ctx: CliContext) {
  return new Command('info')
    .description('Show the TensorFlow.js backend picked (and why), package versions, and a model folder summary')
    .argument('[model]', 'BERT folder or Hub id to summarise')
    .option('--backend <name>', 'backend to try: tensorflow, wasm or cpu (default: KOENBERT_BACKEND, else tensorflow if available, else wasm)')
    .addHelpText('after', '\nExamples:\n  $ koenbert info\n  $ koenbert info runs/offline-small/koenbert-small\n  $ KOENBERT_BACKEND=wasm koenbert info klue/bert-base\n')
    .action(async (model: string | undefined, values: { backend?: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu' }) => {
      const choice = await initBackend({ backend: values.backend, env: ctx.io.env });
      const out: string[] = [`backend: ${choice.name} (${choice.reason})`, ...(await webGpuLines()), 'versions:'];
      for (const [name, version] of Object.entries(packageVersions())) out.push(`  ${name} ${version}`);
      if (model) out.push(...(await modelSummary(model)), ...(await memoryLines(model, choice)));
      ctx.io.stdout.write(`${out.join('\n')}\n`);
    });
}
