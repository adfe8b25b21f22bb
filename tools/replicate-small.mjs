// The scaled-down replication (issue 14): is Korean kept and English gained?
//
//   npm run build
//   node tools/build-teachers.mjs                 (once, hours: runs/teachers/{ko,en}; resumable with --resume)
//   node tools/replicate-small.mjs [--lanes 2] [--models random-init,teacher-ko] [--tasks klue-nli] [--instruments probe]
//                                  [--runs runs] [--out docs/replication] [--list] [--summarize-only]
//
// Models (tools/replication/protocol.mjs): random-init (the control: merged vocab, never pretrained), teacher-ko,
// teacher-en, merged-init (before distillation), koenbert-small (MiniLMv2 from both teachers), english-only (the same
// run without Korean steps); the majority class comes with every fine-tuning result. Instruments: fine-tuning (3
// seeds), linear probes of frozen features, held-out relation loss, zero-shot KorSTS. Each cell is one command whose
// result is committed as docs/replication/cells/<instrument>/<model>/<task>.json together with the sha256 of the
// weights it measured; a finished cell is never recomputed while those weights are unchanged, so a killed or
// interrupted replication continues where it stopped (on any machine that rebuilds the same seeded teachers).
// At the end (and after every cell) docs/replication/replication.{json,md} and the SVG charts are rewritten.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@koenbert/tensor-utils';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cellFile, cellState, finetuneArgs, finetuneResultFile, probeArgs, relationFile, subsetFile } from './replication/cells.mjs';
import { modelFingerprint } from './replication/fingerprint.mjs';
import {
  DISTILL, FINETUNE_OPTIONS, MINILM, FINETUNE_TASKS, INSTRUMENTS, layout, MODEL_ORDER, PROBE_OPTIONS, RELATION_MODELS, RELATION_TEXT, SEEDS, TASKS, TEACHER_ARCH, TRAIN_SUBSETS,
} from './replication/protocol.mjs';
import { koenbert, runNode } from './replication/run-command.mjs';
import { averagesSvg, collectCells, collectRelationLoss, replicationJson, replicationMarkdown } from './replication/summarize.mjs';
import { SeededSubset } from './replication/seeded-subset.mjs';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: 'runs' },
    out: { type: 'string', default: 'docs/replication' },
    data: { type: 'string', default: path.resolve('../shared/data') },
    lanes: { type: 'string', default: '2' },
    models: { type: 'string' },
    tasks: { type: 'string' },
    instruments: { type: 'string' },
    'summarize-only': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});
const paths = layout({ runs: path.resolve(flags.runs), out: path.resolve(flags.out) });
const DATA = path.resolve(flags.data);
const SCRIPTS = path.resolve('tools/replication');
/** Cell filters: a comma list each (any of), all three must match; relation-loss cells count as instrument `relation-loss`. */
const listOf = (value) => (value ? value.split(',').map((s) => s.trim()) : undefined);
const filter = { models: listOf(flags.models), tasks: listOf(flags.tasks), instruments: listOf(flags.instruments) };
const wanted = (value, list) => !list || list.includes(value);

function fail(message) {
  process.stderr.write(`replicate-small: ${message}\n`);
  process.exit(1);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const finished = {
  teacher: (dir) => existsSync(path.join(dir, 'model.safetensors')) && existsSync(path.join(dir, 'pretrain-report.json')),
  distilled: (dir) => existsSync(path.join(dir, 'model.safetensors')) && existsSync(path.join(dir, 'loss-curve.svg')),
  folder: (dir) => existsSync(path.join(dir, 'model.safetensors')),
};

/** Whether a model's weights are final (cells may be measured on it). */
function modelReady(model) {
  const dir = paths.models[model];
  if (model === MINILM.teacher) return finished.folder(dir);
  if (model.startsWith('teacher-')) return finished.teacher(dir);
  if (model === 'koenbert-small' || model === 'english-only' || model === MINILM.student) return finished.distilled(dir);
  return finished.folder(dir);
}

// ---- the teachers' records ----------------------------------------------------------------------------------------
function teacherRecord(lang) {
  const dir = paths.teachers[lang];
  if (!finished.teacher(dir)) return undefined;
  const report = readJson(path.join(dir, 'pretrain-report.json'));
  return {
    heldOutPerplexity: report.heldOut?.finalPerplexity,
    heldOutCurve: (report.heldOut?.evals ?? []).map((e) => ({ step: e.step, perplexity: e.perplexity })),
    steps: report.steps,
    tokens: report.tokens ?? report.steps * Number(report.batch.split('×')[0]) * Number(report.batch.split('×')[1]),
    seconds: report.seconds ?? report.secondsThisRun,
    params: report.model.params,
    vocabSize: report.model.vocabSize,
    model: report.model,
    text: report.text,
    command: report.command,
  };
}

/**
 * The teacher's record, kept beside the cells (cells/teachers/<lang>.json) whenever its folder is at hand: runs/ is
 * not committed and a later machine may summarize (or measure other cells) without rebuilding the teachers.
 */
async function keptTeacherRecord(lang) {
  const kept = path.join(paths.cells, 'teachers', `${lang}.json`);
  const record = teacherRecord(lang);
  if (record) {
    await writeFileAtomic(kept, `${JSON.stringify(record, null, 1)}\n`);
    return record;
  }
  return existsSync(kept) ? readJson(kept) : undefined;
}

// ---- data subsets and models made here ----------------------------------------------------------------------------
async function ensureSubsets() {
  for (const task of Object.keys(TRAIN_SUBSETS)) {
    const target = subsetFile(paths, task);
    if (existsSync(target)) continue;
    const spec = TRAIN_SUBSETS[task];
    const source = path.join(DATA, spec.file);
    if (!existsSync(source)) fail(`${source}: file not found (the replication reads ../shared/data)`);
    await writeFileAtomic(target, SeededSubset.of({ file: source, limit: spec.limit, seed: 42 }));
  }
}

const TOKENIZERS = { ko: path.join(DATA, 'tokenizers', 'kcelectra-base'), en: path.join(DATA, 'tokenizers', 'bert-base-uncased') };
const TEXT = {
  ko: ['text/ko/wikipedia', 'text/ko/koconovel-50-novels.txt.gz', 'text/ko/kocohub-unlabeled-comments-5.txt', 'text/ko/parakqc-v1.txt', 'text/ko/3i4k-utterances.txt'].map((f) => path.join(DATA, f)),
  en: ['text/en/wikipedia', 'text/en/gutenberg', 'text/en/wikitext-2-valid.txt', 'text/en/tinyshakespeare.txt'].map((f) => path.join(DATA, f)),
};

async function ensureMerged(lane) {
  const dir = paths.models['merged-tokenizer'];
  if (existsSync(path.join(dir, 'merge-map.json'))) return;
  await koenbert({ lane, args: ['merge-vocab', '--korean', TOKENIZERS.ko, '--english', TOKENIZERS.en, '--output', dir, '--koreanText', path.join(DATA, 'text/ko/parakqc-v1.txt'), '--englishText', path.join(DATA, 'text/en/wikitext-2-valid.txt')] });
}

async function ensureRandomInit(lane) {
  if (finished.folder(paths.models['random-init'])) return;
  await runNode({ lane, script: path.join(SCRIPTS, 'make-random-init.mjs'), args: [paths.models['merged-tokenizer'], paths.models['random-init'], '0'] });
}

async function ensureMergedInit(lane, { init = 'merged-init', english = paths.teachers.en } = {}) {
  if (finished.folder(paths.models[init])) return;
  await koenbert({ lane, args: ['init-embeddings', '--korean', paths.teachers.ko, '--english', english, '--tokenizer', paths.models['merged-tokenizer'], '--output', paths.models[init], '--method', 'ridge'] });
}

async function distillRun(lane, model) {
  const dir = paths.models[model];
  if (finished.distilled(dir)) return;
  const englishOnly = model === 'english-only';
  const minilm = model === MINILM.student;
  // 16-dimensional relation heads of the student; the MiniLM teacher (H 384) splits into the same count (48 dims)
  const relationHeads = Math.max(1, TEACHER_ARCH.hidden / 16);
  await koenbert({
    lane,
    args: [
      'distill', '--student', paths.models[minilm ? MINILM.init : 'merged-init'], '--output', dir, '--steps', String(DISTILL.steps), '--seed', '42',
      '--teachers.en.model', minilm ? paths.models[MINILM.teacher] : paths.teachers.en, '--teachers.ko.model', paths.teachers.ko,
      '--loss.relationHeads', String(relationHeads), '--data.maxLength', String(DISTILL.maxLength),
      '--optim.batchSize', String(DISTILL.batchSize), '--optim.lr', String(DISTILL.lr), '--optim.warmupRatio', String(DISTILL.warmupRatio),
      '--checkpoint.every', String(DISTILL.checkpointEvery),
      '--data.en', ...TEXT.en,
      ...(englishOnly ? ['--data.mix', '1:0'] : ['--data.ko', ...TEXT.ko, '--data.mix', '1:1']),
      ...(existsSync(path.join(dir, 'checkpoints')) ? ['--resume'] : []),
    ],
  });
}

// ---- cells --------------------------------------------------------------------------------------------------------
function allCells() {
  const cells = [];
  for (const model of MODEL_ORDER) for (const instrument of INSTRUMENTS) for (const task of TASKS) cells.push({ model, task, instrument });
  return cells.filter((c) => wanted(c.model, filter.models) && wanted(c.task, filter.tasks) && wanted(c.instrument, filter.instruments));
}

function allRelationCells() {
  if (!wanted('relation-loss', filter.instruments) || filter.tasks) return [];
  return RELATION_MODELS.filter((model) => wanted(model, filter.models)).flatMap((model) => ['en', 'ko'].map((language) => ({ model, language })));
}

function protocolRecord() {
  return {
    summary:
      'train → full dev where a local train split exists (SST-2 and KLUE NLI on seeded 8,000-example train subsets), 3-fold CV over the full dev set for KLUE YNAT, KLUE NER and GLUE QNLI with the epoch chosen on a validation part of the training folds; ' +
      `every model fine-tuned with the same settings (lr ${FINETUNE_OPTIONS.lr}, batch ${FINETUNE_OPTIONS.batchSize}, max length ${FINETUNE_OPTIONS.maxLength}, warm-up ${FINETUNE_OPTIONS.warmupRatio}, weight decay ${FINETUNE_OPTIONS.weightDecay}, epochs per task in tools/replication/protocol.mjs), ${SEEDS} seeds; ` +
      `probes: frozen ${PROBE_OPTIONS.pooling}-pooled last layer (per token for NER), ridge read-out with λ by 5-fold CV inside the training part; zero-shot KorSTS: fine-tuned on GLUE STS-B train (English tokenizer file), scored on KorSTS dev (Korean tokenizer file).`,
    seeds: SEEDS,
    finetune: { options: FINETUNE_OPTIONS, tasks: FINETUNE_TASKS, trainSubsets: TRAIN_SUBSETS },
    probe: PROBE_OPTIONS,
    teacherArchitecture: TEACHER_ARCH,
    distill: DISTILL,
  };
}

async function runCell(lane, cell) {
  const file = cellFile(paths, cell);
  const fingerprint = await modelFingerprint(paths.models[cell.model]);
  const started = Date.now();
  let result;
  if (cell.instrument === 'finetune') {
    const args = finetuneArgs(paths, DATA, cell);
    await koenbert({ lane, args });
    result = readJson(finetuneResultFile(paths, cell));
  } else {
    const out = path.join(paths.scratch, 'probe', cell.model, `${cell.task}.json`);
    await runNode({ lane, script: path.join(SCRIPTS, 'probe-cell.mjs'), args: probeArgs(paths, DATA, cell, out) });
    result = readJson(out);
  }
  const metric = result.primaryMetric;
  const primary = result.metrics[metric];
  await writeFileAtomic(file, `${JSON.stringify({ ...cell, metric, values: primary.values, mean: primary.mean, std: primary.std, fingerprint, seconds: (Date.now() - started) / 1000, measuredAt: new Date().toISOString(), majorityBaseline: result.majorityBaseline, result }, null, 1)}\n`);
}

/** The teacher a student's relations are measured against: its own English teacher for the MiniLM run. */
function relationTeacher(cell) {
  return cell.model === MINILM.student && cell.language === 'en' ? MINILM.teacher : `teacher-${cell.language}`;
}

async function runRelationCell(lane, cell) {
  const out = path.join(paths.scratch, 'relation', `${cell.model}.${cell.language}.json`);
  await runNode({
    lane,
    script: path.join(SCRIPTS, 'relation-loss-cell.mjs'),
    args: ['--student', paths.models[cell.model], '--teacher', paths.models[relationTeacher(cell)], '--lang', cell.language, ...RELATION_TEXT[cell.language].flatMap((f) => ['--text', path.join(DATA, f)]), '--out', out],
  });
  const record = readJson(out);
  await writeFileAtomic(relationFile(paths, cell), `${JSON.stringify({ ...cell, ...record, fingerprint: await modelFingerprint(paths.models[cell.model]) }, null, 1)}\n`);
}

// ---- the summary --------------------------------------------------------------------------------------------------
async function summarize() {
  const cells = collectCells(paths.cells);
  const relation = collectRelationLoss(paths.cells);
  const teachers = Object.fromEntries((await Promise.all(['ko', 'en'].map(async (lang) => [lang, await keptTeacherRecord(lang)]))).filter(([, t]) => t));
  const totals = { done: cells.filter((c) => c.model !== 'majority').length + relation.length, total: MODEL_ORDER.length * INSTRUMENTS.length * TASKS.length + RELATION_MODELS.length * 2 };
  const input = { cells, relation, teachers, protocol: protocolRecord(), totals };
  await writeFileAtomic(path.join(paths.out, 'replication.json'), `${JSON.stringify(replicationJson(input), null, 1)}\n`);
  await writeFileAtomic(path.join(paths.out, 'replication.md'), replicationMarkdown(input));
  for (const instrument of INSTRUMENTS) await writeFileAtomic(path.join(paths.out, `${instrument}-averages.svg`), averagesSvg(cells, instrument));
  for (const lang of ['ko', 'en']) {
    const curve = path.join(paths.teachers[lang], 'mlm-loss-curve.svg');
    if (existsSync(curve)) copyFileSync(curve, path.join(paths.out, `teacher-${lang}-mlm-loss.svg`));
  }
  for (const model of ['koenbert-small', 'english-only']) {
    const curve = path.join(paths.models[model], 'loss-curve.svg');
    if (finished.distilled(paths.models[model])) copyFileSync(curve, path.join(paths.out, `${model}-distill-loss.svg`));
  }
  return totals;
}

// ---- the schedule -------------------------------------------------------------------------------------------------
if (flags['summarize-only']) {
  const totals = await summarize();
  process.stdout.write(`replication: ${totals.done} of ${totals.total} cells; ${path.join(paths.out, 'replication.md')}\n`);
  process.exit(0);
}
if (!existsSync(path.resolve('packages/cli/dist/bin.cjs'))) fail('packages/cli/dist/bin.cjs is missing; run npm run build first');
if (!existsSync(DATA)) fail(`${DATA}: folder not found (the replication reads the real data in ../shared/data)`);

const cells = allCells();
const relationCells = allRelationCells();
if (flags.list) {
  for (const cell of cells) process.stdout.write(`${cell.instrument}\t${cell.model}\t${cell.task}\t${await cellState(paths, cell)}\t${modelReady(cell.model) ? 'ready' : 'model not ready'}\n`);
  process.exit(0);
}

await ensureSubsets();
await ensureMerged('prep');
await ensureRandomInit('prep');
const teachersReady = modelReady('teacher-ko') && modelReady('teacher-en');
if (!teachersReady) {
  process.stderr.write(`replicate-small: the teachers are not finished (${paths.teachers.ko}, ${paths.teachers.en}); measuring the cells that need no teacher. Build them with: node tools/build-teachers.mjs --out ${path.join(flags.runs, 'teachers')} (--resume after a stop)\n`);
} else {
  await ensureMergedInit('prep');
  if (modelReady(MINILM.teacher)) await ensureMergedInit('prep', { init: MINILM.init, english: paths.models[MINILM.teacher] });
}

// Jobs run on `lanes` lanes; a job starts once the models it needs are final.
const jobs = [];
if (teachersReady) for (const model of ['koenbert-small', 'english-only']) jobs.push({ name: `distill ${model}`, needs: ['merged-init'], run: (lane) => distillRun(lane, model), produces: model });
if (teachersReady && modelReady(MINILM.teacher)) jobs.push({ name: `distill ${MINILM.student}`, needs: [MINILM.init], run: (lane) => distillRun(lane, MINILM.student), produces: MINILM.student });
for (const cell of cells) jobs.push({ name: `${cell.instrument} ${cell.model} ${cell.task}`, needs: [cell.model], cell });
for (const cell of relationCells) jobs.push({ name: `relation-loss ${cell.model} ${cell.language}`, needs: [cell.model, relationTeacher(cell)], relation: cell });

const pending = [];
for (const job of jobs) {
  if (job.cell && (await cellState(paths, job.cell)) === 'done') continue;
  if (job.relation && existsSync(relationFile(paths, job.relation))) {
    const record = readJson(relationFile(paths, job.relation));
    if (record.fingerprint === (await modelFingerprint(paths.models[job.relation.model]))) continue;
  }
  pending.push(job);
}
const running = new Set();
let failures = 0;
async function lane(index) {
  const name = `lane ${index + 1}`;
  for (;;) {
    const next = pending.findIndex((job) => job.needs.every((model) => modelReady(model)) && !(job.produces && running.has(job.produces)));
    if (next === -1) {
      // wait while another lane is still producing a model some pending job needs
      if (pending.length > 0 && [...running].length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 5000));
        continue;
      }
      return;
    }
    const [job] = pending.splice(next, 1);
    if (job.produces) running.add(job.produces);
    try {
      if (job.run) await job.run(name);
      else if (job.cell) await runCell(name, job.cell);
      else await runRelationCell(name, job.relation);
      await summarize();
    } catch (error) {
      failures++;
      process.stderr.write(`[${name}] ${job.name} failed: ${error.message}\n`);
    } finally {
      if (job.produces) running.delete(job.produces);
    }
  }
}
await Promise.all(Array.from({ length: Number(flags.lanes) }, (_, i) => lane(i)));
const totals = await summarize();
const blocked = pending.length;
process.stdout.write(`replication: ${totals.done} of ${totals.total} cells measured; ${blocked} waiting for models; ${failures} failed this run; ${path.join(paths.out, 'replication.md')}\n`);
process.exit(failures > 0 ? 1 : 0);
