// The scaled-down replication (issue 8): the whole koenbert pipeline on the project's own small teachers, scored on
// the real KLUE and GLUE dev files, plus zero-shot Korean STS (fine-tune on English STS-B train, score on KorSTS dev).
//
//   npm run build
//   node tools/build-teachers.mjs           (once: writes runs/teachers/{ko,en}; see that file)
//   node tools/replicate-small.mjs [--config configs/offline-small.yaml]
//
// Steps, each skipped when its output exists (rerun after a kill to continue):
//   1. koenbert run --config <config>        merge-vocab → init-embeddings → distill → eval (cv) → report
//   2. koenbert eval per model: fine-tune on GLUE STS-B train, score KorSTS dev (zero-shot Korean STS); the teachers'
//      runs go beside step 1 (wasm trains on one core), the other two after it
//   3. a longer fine-tuning check (10 epochs, lr 1e-3) of a few model/task pairs, same folds
//   4. <output>/replication.md and replication.json: teachers, embedding init, distillation, the seed-style tables
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

const { values: flags } = parseArgs({
  options: {
    config: { type: 'string', default: 'configs/offline-small.yaml' },
    'zero-shot-limit': { type: 'string', default: '1000' },
    'skip-zero-shot': { type: 'boolean', default: false },
    'skip-longer-finetune': { type: 'boolean', default: false },
  },
});
const CLI = path.resolve('packages/cli/dist/bin.cjs');
const DATA = path.resolve('../shared/data');
const KORSTS_DEV = path.join(DATA, 'kor-nlu', 'korsts-dev.tsv');
const MODEL_LABELS = { 'teacher-ko': 'Korean teacher', 'teacher-en': 'English teacher', 'merged-init': 'merged, before distillation', 'koenbert-small': 'koenbert-small (distilled)' };

function fail(message) {
  process.stderr.write(`replicate-small: ${message}\n`);
  process.exit(1);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** One koenbert command in a child process; a failure ends the replication with the child's exit code. */
function koenbert(args) {
  process.stderr.write(`$ koenbert ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    // The run and the teacher lane are two koenbert processes side by side: one wasm thread each uses the cores
    // without oversubscribing them. An explicit KOENBERT_WASM_THREADS wins.
    const env = { KOENBERT_WASM_THREADS: '1', ...process.env };
    const child = spawn(process.execPath, [CLI, '--progress-interval', '30', ...args], { stdio: 'inherit', env });
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else process.exit(code ?? (signal ? 1 : 1));
    });
  });
}

// The run's 25-step fine-tuning leaves small models at the majority class; this check fine-tunes a few model/task
// pairs 10 epochs at lr 1e-3 on the same folds to see whether the models can be told apart at all.
const LONGER_FINETUNE = { epochs: 10, lr: 0.001 };
const LONGER_FINETUNE_RUNS = [
  ['teacher-en', 'glue-sst2'],
  ['merged-init', 'glue-sst2'],
  ['koenbert-small', 'glue-sst2'],
  ['teacher-ko', 'klue-ynat'],
  ['koenbert-small', 'klue-ynat'],
];

/** The longer-fine-tuning runs; results in <output>/longer-finetune/<model>/<task>.json. */
async function longerFinetune(config, models) {
  const outputDir = path.join(config.output, 'longer-finetune');
  const results = [];
  for (const [name, task] of LONGER_FINETUNE_RUNS) {
    const file = path.join(outputDir, name, `${task}.json`);
    if (!existsSync(file)) {
      const flagsOf = evalFlags(config, task, ['epochs', 'lr']);
      await koenbert(['eval', '--task', task, '--model', models[name], '--modelName', name, ...flagsOf, '--epochs', String(LONGER_FINETUNE.epochs), '--lr', String(LONGER_FINETUNE.lr), '--outputDir', outputDir, '--offline']);
    }
    results.push(readJson(file));
  }
  return results;
}

function longerFinetuneSection(results) {
  const lines = [
    `## Longer fine-tuning (${LONGER_FINETUNE.epochs} epochs at lr ${LONGER_FINETUNE.lr}, same folds)`,
    '',
    row(['model', 'task', 'score', 'majority class']),
    row(['---', '---', '---:', '---:']),
  ];
  for (const r of results) {
    const metrics = r.metrics;
    const score = Object.keys(metrics).map((key) => pct(metrics[key].mean)).join(' / ');
    const majority = r.majorityBaseline ? Object.keys(metrics).map((key) => pct(r.majorityBaseline[key])).join(' / ') : '–';
    lines.push(row([MODEL_LABELS[r.model] ?? r.model, `${r.title} (${Object.keys(metrics).join(' / ')})`, score, majority]));
  }
  return [...lines, ''];
}

/** The run config's eval options for one task (shared ones, then the task's own) as `koenbert eval` flags. */
function evalFlags(config, task, drop = []) {
  const options = { ...config.eval?.options, ...config.eval?.taskOptions?.[task] };
  return Object.entries(options)
    .filter(([key]) => !drop.includes(key))
    .flatMap(([key, value]) => [`--${key}`, String(value)]);
}

/** The teachers' cv evaluations, the same ones `koenbert run` would do (it skips result files that exist). */
async function evaluateTeachers(config, teachers) {
  for (const [name, model] of Object.entries(teachers)) {
    for (const task of config.eval.tasks) {
      if (existsSync(path.join(config.output, 'eval', name, `${task}.json`))) continue;
      await koenbert(['eval', '--task', task, '--model', model, '--modelName', name, ...evalFlags(config, task), '--outputDir', path.join(config.output, 'eval'), '--offline']);
    }
  }
}

/** Fine-tunes each model on STS-B train and scores KorSTS dev; results in <output>/zero-shot-korsts/<model>/glue-stsb.json. */
async function zeroShot(config, models) {
  const outputDir = path.join(config.output, 'zero-shot-korsts');
  const results = {};
  for (const [name, model] of Object.entries(models)) {
    const file = path.join(outputDir, name, 'glue-stsb.json');
    if (!existsSync(file)) {
      await koenbert(['eval', '--task', 'glue-stsb', '--model', model, '--modelName', name, ...evalFlags(config, 'glue-stsb', ['cv', 'limit', 'dataDir']), '--dataDir', DATA, '--devFile', KORSTS_DEV, '--limit', flags['zero-shot-limit'], '--outputDir', outputDir, '--offline']);
    }
    results[name] = readJson(file);
  }
  return results;
}

const pct = (value) => (Number.isFinite(value) ? (100 * value).toFixed(1) : '–');
const row = (cells) => `| ${cells.join(' | ')} |`;

function teacherSection(config) {
  const lines = ['## Teachers (MLM pretraining, `tools/build-teachers.mjs`)', '', row(['teacher', 'params', 'vocab', 'steps', 'batch', 'final train loss', 'held-out perplexity', 'time']), row(['---', '---:', '---:', '---:', '---', '---:', '---:', '---:'])];
  for (const [label, dir] of [['Korean', config.korean], ['English', config.english]]) {
    const file = path.join(dir, 'pretrain-report.json');
    if (!existsSync(file)) continue;
    const r = readJson(file);
    lines.push(row([label, r.model.params.toLocaleString('en-US'), r.model.vocabSize.toLocaleString('en-US'), r.steps, r.batch, r.finalTrainLoss.toFixed(3), r.heldOut.finalPerplexity.toFixed(1), `${Math.round(r.secondsThisRun / 60)} min`]));
  }
  return [...lines, '', `Loss curves: ${config.korean}/mlm-loss-curve.svg, ${config.english}/mlm-loss-curve.svg.`, ''];
}

function initSection(initDir) {
  const report = readJson(path.join(initDir, 'embed-init-report.json'));
  const lines = [
    '## Embedding initialisation (held-out 20 % of the shared tokens)',
    '',
    `${report.pairs.train + report.pairs.heldOut} shared-token pairs (${report.pairs.heldOut} held out); ${report.merged.added.toLocaleString('en-US')} English rows added (vocab ${report.merged.vocabSize.toLocaleString('en-US')}); chosen: ${report.chosen.method}.`,
    '',
    row(['method', 'R²', 'cosine', 'NN top-1 %', 'NN top-5 %', 'seconds']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const score of report.scores) {
    const h = score.heldOut;
    lines.push(row([score.method, h ? h.r2.toFixed(3) : '–', h ? h.meanCosine.toFixed(3) : '–', h ? pct(h.top1) : '–', h ? pct(h.top5) : '–', score.seconds.toFixed(2)]));
  }
  return [...lines, ''];
}

function distillSection(studentDir) {
  const events = readFileSync(path.join(studentDir, 'koenbert-distill.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const steps = events.filter((e) => (e.type ?? e.event) === 'step');
  const mean = (list, key) => list.reduce((sum, e) => sum + (key ? e.perRelation[key] : e.loss), 0) / list.length;
  const lines = [
    '## Distillation (MiniLMv2 relations, both teachers)',
    '',
    'Relation loss (KL, summed over Q-Q, K-K, V-V), mean of the first and of the last 10 steps of each language:',
    '',
    row(['language', 'steps', 'first 10', 'last 10', 'ratio', 'last 10: Q-Q / K-K / V-V']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const lang of ['en', 'ko']) {
    const own = steps.filter((e) => e.lang === lang);
    if (own.length === 0) continue;
    const first = own.slice(0, 10);
    const last = own.slice(-10);
    const parts = ['qq', 'kk', 'vv'].map((key) => mean(last, key).toFixed(4)).join(' / ');
    lines.push(row([lang, own.length, mean(first).toFixed(4), mean(last).toFixed(4), `${(mean(first) / mean(last)).toFixed(1)}×`, parts]));
  }
  return [...lines, '', `${steps.at(-1)?.step ?? 0} steps; curve: ${path.join(studentDir, 'loss-curve.svg')}.`, ''];
}

/** The majority-class score of each task on the same folds, as a last table row ("–" for regression tasks). */
function majorityRow(config, header) {
  const cells = config.eval.tasks.map((task) => {
    const file = path.join(config.output, 'eval', 'koenbert-small', `${task}.json`);
    if (!existsSync(file)) return '–';
    const result = readJson(file);
    const value = result.majorityBaseline?.[result.primaryMetric];
    return value === undefined ? '–' : (100 * value).toFixed(2);
  });
  return cells.length === header.split('|').length - 3 ? row(['majority class', ...cells]) : undefined;
}

/** The run report's seed-style table, rows in MODEL_LABELS order (teachers first, as in the seed's tables). */
function evalSection(config, reportDir) {
  const markdown = readFileSync(path.join(reportDir, 'report.md'), 'utf8').split('\n');
  const start = markdown.findIndex((line) => line.startsWith('|'));
  const end = markdown.findIndex((line, i) => i > start && !line.startsWith('|'));
  const order = Object.keys(MODEL_LABELS);
  const rank = (line) => order.findIndex((name) => line.startsWith(`| ${name} |`));
  const body = markdown.slice(start + 2, end).sort((a, b) => rank(a) - rank(b));
  const majority = majorityRow(config, markdown[start]);
  const notes = markdown.slice(end).filter((line) => line.startsWith('- ')).slice(0, 4);
  return ['## KLUE and GLUE (dev files, cross-validated)', '', ...markdown.slice(start, start + 2), ...body, ...(majority ? [majority] : []), '', ...notes, '', `Full report: ${path.join(reportDir, 'report.md')}.`, ''];
}

function zeroShotSection(results) {
  const lines = [
    '## Zero-shot Korean STS (fine-tuned on English STS-B train only)',
    '',
    row(['model', 'KorSTS dev Spearman', 'KorSTS dev Pearson']),
    row(['---', '---:', '---:']),
  ];
  for (const [name, r] of Object.entries(results)) {
    lines.push(row([MODEL_LABELS[name] ?? name, pct(r.metrics.spearman.mean), pct(r.metrics.pearson.mean)]));
  }
  const any = Object.values(results)[0];
  if (any) lines.push('', `${any.trainExamples} STS-B train pairs (seeded subsample), ${any.evalExamples} KorSTS dev pairs, ${any.hyperparameters.epochs} epoch(s), lr ${any.hyperparameters.lr}, best epoch by KorSTS dev (as the eval protocol does).`);
  return [...lines, ''];
}

const configFile = path.resolve(flags.config);
if (!existsSync(CLI)) fail(`${CLI} is missing; run npm run build first`);
if (!existsSync(configFile)) fail(`${configFile}: file not found`);
const config = parseYaml(readFileSync(configFile, 'utf8'));
for (const dir of [config.korean, config.english]) {
  if (!existsSync(path.join(dir, 'model.safetensors'))) fail(`${dir}: no model.safetensors; build the teachers first (see tools/build-teachers.mjs)`);
}

const started = Date.now();
const out = { tokenizer: path.join(config.output, 'merged-tokenizer'), init: path.join(config.output, 'student-init'), student: path.join(config.output, 'koenbert-small'), report: path.join(config.output, 'report') };
// wasm trains on one core, so the teachers' evaluations (which need nothing from the pipeline) run in a second process
// beside `koenbert run`; the config lists the teachers last, so run reaches them after this lane has written them.
const teachers = { 'teacher-ko': config.korean, 'teacher-en': config.english };
const teacherLane = async () => {
  await evaluateTeachers(config, teachers);
  return flags['skip-zero-shot'] ? {} : zeroShot(config, teachers);
};
const [, teacherZeroShot] = await Promise.all([koenbert(['run', '--config', configFile]), teacherLane()]);
const zeroShotResults = flags['skip-zero-shot'] ? {} : { ...teacherZeroShot, ...(await zeroShot(config, { 'merged-init': out.init, 'koenbert-small': out.student })) };
const allModels = { ...teachers, 'merged-init': out.init, 'koenbert-small': out.student };
const longerResults = flags['skip-longer-finetune'] ? [] : await longerFinetune(config, allModels);

const markdown = [
  '# koenbert scaled-down replication',
  '',
  `Config ${path.relative(process.cwd(), configFile)}; command \`node tools/replicate-small.mjs --config ${path.relative(process.cwd(), configFile)}\`; this invocation ${Math.round((Date.now() - started) / 60000)} min (stages already finished are skipped).`,
  '',
  ...teacherSection(config),
  ...initSection(out.init),
  ...distillSection(out.student),
  ...evalSection(config, out.report),
  ...(flags['skip-zero-shot'] ? [] : zeroShotSection(zeroShotResults)),
  ...(flags['skip-longer-finetune'] ? [] : longerFinetuneSection(longerResults)),
].join('\n');
writeAtomic(path.join(config.output, 'replication.md'), markdown);
writeAtomic(path.join(config.output, 'replication.json'), `${JSON.stringify({ config: path.relative(process.cwd(), configFile), zeroShot: zeroShotResults, longerFinetune: longerResults }, null, 1)}\n`);
process.stdout.write(`${markdown}\n`);
