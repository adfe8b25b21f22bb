// Do the folders koenbert writes load in Python transformers, and do they compute what koenbert computes?
//
// 1. Builds (once) a pinned venv with transformers, torch (CPU use), tokenizers, safetensors and numpy from PyPI
//    (tools/interop/requirements.txt; cached in ~/.cache/koenbert/interop-venv-<hash>).
// 2. Builds one tiny folder of every kind koenbert writes with koenbert's own CLI (tools/interop/build-artifacts.mjs),
//    or takes the folders given with --folder.
// 3. For each folder: koenbert's tokenizers and forward pass (tools/interop/koenbert-forward.mjs), then
//    tools/interop/compare_transformers.py loads it with AutoTokenizer (Rust, and the Python tokenizer where the folder
//    names one), AutoModel and the folder's own Auto class, and compares token ids (equal) and hidden states / logits
//    (max abs diff ≤ 1e-4) on real Korean, English, mixed and paired sentences (../shared/data/text/parallel).
//
// Prints one JSON summary on stdout and a closing line; exit 0 when every folder passes, 1 when one does not, 2 when
// the check could not run (e.g. PyPI unreachable while the venv is not built yet; --skip-if-offline makes that 0).
//
//   node tools/interop/check-transformers.mjs                               # build the tiny folders and check them
//   node tools/interop/check-transformers.mjs --folder runs/teachers/en-minilm=base --keep
import { execFile } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { ensureInteropVenv, interopVenvFreeze, InteropError } from './interop-venv.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_LENGTH = 64;
const TASKS = ['base', 'masked-lm', 'sequence-classification', 'token-classification'];

/** Real sentences: Korean, English, Korean with English words in it, and Korean–English pairs. */
export function probeInputs(data) {
  const read = (file) => readFileSync(path.join(data, 'text/parallel', file), 'utf8').split('\n').filter((line) => line.trim() !== '');
  const ko = read('jhe-koen-dev.ko');
  const en = read('jhe-koen-dev.en');
  const koPark = read('korean-english-park.dev.ko');
  const enPark = read('korean-english-park.dev.en');
  return [
    ...[0, 1, 2].map((i) => ({ lang: 'ko', text: ko[i] })),
    { lang: 'ko', text: koPark[0] }, // long: truncated at MAX_LENGTH tokens
    ...[0, 1, 2].map((i) => ({ lang: 'en', text: en[i] })),
    { lang: 'en', text: enPark[0] },
    { lang: 'mixed', text: `${ko[3]} (${en[3]})` },
    { lang: 'mixed', text: `${koPark[1].slice(0, 60)} Lawrence Livermore National Laboratory의 IBM ASCI White는 12.3 TFLOPS.` },
    { lang: 'pair', text: ko[4], pair: en[4] },
    { lang: 'pair', text: en[5], pair: ko[5] },
  ];
}

function parseFolderArg(value) {
  const at = value.lastIndexOf('=');
  const dir = path.resolve(at > 0 ? value.slice(0, at) : value);
  const task = at > 0 ? value.slice(at + 1) : null;
  if (task !== null && task !== 'tokenizer' && !TASKS.includes(task)) throw new InteropError('USAGE', `--folder ${value}: task must be one of ${TASKS.join(', ')} or tokenizer`);
  return { kind: path.basename(dir), dir, task: task === 'tokenizer' ? null : task ?? taskOf(dir) };
}

function taskOf(dir) {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return null;
  const architecture = JSON.parse(readFileSync(file, 'utf8')).architectures?.[0];
  return { BertForMaskedLM: 'masked-lm', BertForSequenceClassification: 'sequence-classification', BertForTokenClassification: 'token-classification' }[architecture] ?? 'base';
}

function digest(entry) {
  const line = { kind: entry.kind, task: entry.task, ok: entry.ok };
  const tokenizers = entry.tokenizers ?? {};
  line.tokenizers = Object.fromEntries(
    Object.entries(tokenizers).map(([name, t]) => [name, t.error ?? t.skipped ?? `${t.equal}/${t.inputs} equal${t.class ? ` (${t.class}${t.is_fast === false ? ', Python' : ''})` : ''}`]),
  );
  if (entry.models) {
    line.models = Object.fromEntries(Object.entries(entry.models).map(([name, m]) => [name, m.error ?? { max_abs_diff: m.max_abs_diff, loading: m.loading, ok: m.ok }]));
  }
  if (entry.error) line.error = entry.error;
  return line;
}

/** Runs koenbert's side and transformers' side on the folders; returns the per-folder results. */
export async function checkFolders({ folders, python, work, data, log = () => {} }) {
  const { koenbertForward } = await import('./koenbert-forward.mjs');
  const inputs = probeInputs(data);
  const forwardDirs = [];
  for (const [index, folder] of folders.entries()) {
    const outDir = path.join(work, 'forward', String(index));
    await koenbertForward({ dir: folder.dir, task: folder.task, numLabels: folder.numLabels, inputs, maxLength: MAX_LENGTH, outDir, teachers: folder.teachers });
    forwardDirs.push(outDir);
  }
  log(`koenbert forward done on ${folders.length} folder(s); running transformers`);
  let stdout;
  try {
    ({ stdout } = await run(python, [path.join(root, 'tools/interop/compare_transformers.py'), ...forwardDirs], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', TOKENIZERS_PARALLELISM: 'false', CUDA_VISIBLE_DEVICES: '' },
    }));
  } catch (error) {
    throw new InteropError('PYTHON_FAILED', `compare_transformers.py failed: ${String(error.stderr || error.message).trim().split('\n').pop()}`);
  }
  const [header, ...results] = stdout.trim().split('\n').map((line) => JSON.parse(line));
  return { versions: header.versions, results: results.map((result, index) => ({ kind: folders[index].kind, ...result })) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      folder: { type: 'string', multiple: true },
      work: { type: 'string' },
      keep: { type: 'boolean', default: false },
      json: { type: 'string' },
      'skip-if-offline': { type: 'boolean', default: false },
    },
  });
  const log = (line) => process.stderr.write(`interop: ${line}\n`);
  const missing = ['tensor-utils', 'bert', 'tokenizer-merge', 'cli'].filter((name) => !existsSync(path.join(root, 'packages', name, 'dist')));
  if (missing.length) throw new InteropError('NOT_BUILT', `packages/{${missing.join(',')}}/dist missing: run npm run build first`);
  const { initBackend } = await import('@koenbert/tensor-utils');
  const { buildArtifacts } = await import('./build-artifacts.mjs');
  const data = path.resolve(root, '../shared/data');
  if (!existsSync(path.join(data, 'text/parallel'))) {
    console.log('interop: skipped — ../shared/data is absent (the probe sentences come from text/parallel)');
    return 0;
  }
  let venv;
  try {
    venv = await ensureInteropVenv({ log });
  } catch (error) {
    if (error instanceof InteropError && error.code === 'PYPI_UNREACHABLE' && values['skip-if-offline']) {
      console.log(`interop: skipped — ${error.message}`);
      return 0;
    }
    throw error;
  }
  const work = values.work ? path.resolve(values.work) : await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-interop-'));
  await fs.mkdir(work, { recursive: true });
  const started = Date.now();
  try {
    await initBackend({ backend: process.env.KOENBERT_BACKEND ?? 'wasm' });
    const folders = values.folder?.length ? values.folder.map(parseFolderArg) : await buildArtifacts({ root, data, work: path.join(work, 'folders'), log });
    const { versions, results } = await checkFolders({ folders, python: venv.python, work, data, log });
    const failed = results.filter((result) => !result.ok);
    const summary = {
      tool: 'tools/interop/check-transformers.mjs',
      versions,
      venv: venv.dir,
      tolerance: 1e-4,
      seconds: Math.round((Date.now() - started) / 1000),
      folders: results.map(digest),
    };
    if (values.json) await fs.writeFile(values.json, `${JSON.stringify({ ...summary, details: results, freeze: await interopVenvFreeze(venv.dir) }, null, 2)}\n`);
    console.log(JSON.stringify(summary, null, 2));
    const worst = Math.max(0, ...results.flatMap((r) => Object.values(r.models ?? {}).flatMap((m) => Object.values(m.max_abs_diff ?? {}).filter((v) => typeof v === 'number'))));
    console.log(`interop: transformers ${versions.transformers}, torch ${versions.torch}; largest max abs diff ${worst.toExponential(2)} (tolerance 1e-4)${failed.length ? `; failing: ${failed.map((f) => f.kind).join('; ')}` : ''}`);
    // not in the "N passed, N failed" form on purpose: in .ci/run the test count stays the one npm test closes with
    console.log(`interop: ${results.length - failed.length}/${results.length} folders load in transformers and agree with koenbert${failed.length ? ` — ${failed.length} FAILED` : ''}`);
    return failed.length ? 1 : 0;
  } finally {
    if (!values.keep && !values.work) await fs.rm(work, { recursive: true, force: true });
    else log(`folders and outputs kept in ${work}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.log(`interop: error — ${error instanceof InteropError ? error.message : (error?.stack ?? String(error)).split('\n').slice(0, 3).join(' | ')}`);
      process.exit(2);
    },
  );
}
