// Builds the project's own small teachers with masked-language modelling (@koenbert/distill pretrainMlmIter):
//   runs/teachers/ko: Korean WordPiece of ../shared/data/tokenizers/kcelectra-base; Korean Wikipedia, novels,
//                     comments, questions and utterances of ../shared/data/text/ko
//   runs/teachers/en: bert-base-uncased WordPiece; English Wikipedia, Gutenberg books, WikiText-2, Shakespeare
// Each folder ends as an HF BertForMaskedLM + tokenizer, with pretrain-report.json (sizes, steps, tokens seen, hours,
// loss curve, held-out perplexity on lines of the same sources that training never sees: a hash of the line decides).
// Run from the repository root after `npm run build` (defaults: H 128, L 4, 4 heads, packed batches of 32 × 128,
// 3,000 steps ≈ 12.3 M tokens per language, ~1.5 h on an idle core; the two languages run at once, one process and
// one wasm thread each):
//   node tools/build-teachers.mjs [--lang ko|en|ko,en] [--steps 3000] [--out runs/teachers] …
// Seeded and resumable: rerun with --resume after a kill or a machine restart (at most one checkpoint interval,
// 200 steps, is lost); with --lang ko,en each language runs in its own child process.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pretrainMlmIter } from '@koenbert/distill';
import { initBackend, writeFileAtomic } from '@koenbert/tensor-utils';

const { values: flags } = parseArgs({
  options: {
    lang: { type: 'string', default: 'ko,en' },
    out: { type: 'string', default: 'runs/teachers' },
    shared: { type: 'string', default: path.resolve(process.cwd(), '../shared/data') },
    steps: { type: 'string', default: '3000' },
    hidden: { type: 'string', default: '128' },
    layers: { type: 'string', default: '4' },
    heads: { type: 'string', default: '4' },
    batch: { type: 'string', default: '32' },
    'max-length': { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    'eval-every': { type: 'string', default: '500' },
    'eval-lines': { type: 'string', default: '1000' },
    'checkpoint-every': { type: 'string', default: '200' },
    'log-every': { type: 'string', default: '20' },
    seed: { type: 'string', default: '42' },
    resume: { type: 'boolean', default: false },
    overwrite: { type: 'boolean', default: false },
  },
});
const num = (name) => {
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got ${flags[name]}`);
  return value;
};
const shared = flags.shared;
const teachers = {
  ko: {
    tokenizer: path.join(shared, 'tokenizers', 'kcelectra-base'),
    files: ['wikipedia', 'koconovel-50-novels.txt.gz', 'kocohub-unlabeled-comments-5.txt', 'parakqc-v1.txt', '3i4k-utterances.txt', 'kolaw-constitution.txt', 'kobill'].map((f) => path.join(shared, 'text', 'ko', f)),
  },
  en: {
    tokenizer: path.join(shared, 'tokenizers', 'bert-base-uncased'),
    files: ['wikipedia', 'gutenberg', 'wikitext-2-valid.txt', 'tinyshakespeare.txt'].map((f) => path.join(shared, 'text', 'en', f)),
  },
};

/** Steps, tokens and seconds over every process of a (possibly resumed) build, from its JSONL log (last record per step). */
function buildTotals(output) {
  const file = path.join(output, 'pretrain-log.jsonl');
  const steps = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const record = JSON.parse(line);
    if (record.event === 'step') steps.set(record.step, record);
  }
  let tokens = 0;
  let seconds = 0;
  let previous = 0;
  for (const record of [...steps.values()].sort((a, b) => a.step - b.step)) {
    tokens += record.tokens;
    // elapsedSeconds restarts with every process; count each process's increments
    seconds += record.elapsedSeconds >= previous ? record.elapsedSeconds - previous : record.elapsedSeconds;
    previous = record.elapsedSeconds;
  }
  return { tokens, seconds: Math.round(seconds) };
}

const languages = flags.lang.split(',').map((l) => l.trim());
if (languages.length > 1) {
  // one process per language: wasm trains on one thread each, so the two builds use both cores
  const own = process.argv.slice(2).filter((arg, i, all) => !(arg === '--lang' || all[i - 1] === '--lang' || arg.startsWith('--lang=')));
  const codes = await Promise.all(
    languages.map(
      (lang) =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, [process.argv[1], '--lang', lang, ...own], { stdio: 'inherit', env: { KOENBERT_WASM_THREADS: '1', ...process.env } });
          child.on('exit', (code) => resolve(code ?? 1));
        }),
    ),
  );
  process.exit(Math.max(...codes));
}

await initBackend({ backend: 'wasm' });
for (const lang of languages) {
  const teacher = teachers[lang];
  if (!teacher) throw new Error(`--lang: unknown language ${lang} (allowed: ko, en)`);
  const files = teacher.files.filter((f) => existsSync(f));
  if (!existsSync(teacher.tokenizer) || files.length === 0) {
    console.log(`${lang}: skipped, ${teacher.tokenizer} or its text is absent`);
    continue;
  }
  const output = path.resolve(flags.out, lang);
  const config = {
    tokenizer: teacher.tokenizer,
    output,
    resume: flags.resume,
    overwrite: flags.overwrite,
    seed: num('seed'),
    steps: num('steps'),
    model: { hiddenSize: num('hidden'), numLayers: num('layers'), numHeads: num('heads') },
    data: { files, maxLength: num('max-length') },
    optim: { lr: num('lr'), batchSize: num('batch') },
    eval: { every: num('eval-every'), maxLines: num('eval-lines') },
    checkpoint: { every: num('checkpoint-every') },
  };
  const logEvery = num('log-every');
  const curve = [];
  let evals = [];
  let start;
  let last;
  const began = Date.now();
  for await (const event of pretrainMlmIter(config)) {
    if (event.type === 'start') {
      start = event;
      console.log(`${lang}: ${event.resumedFrom ? `resumed at step ${event.startStep}` : 'start'}, ${event.params} parameters, vocab ${event.vocabSize}, ${event.heldOutLines} held-out lines → ${output}`);
    } else if (event.type === 'step') {
      last = event;
      curve.push([event.step, Number(event.loss.toFixed(4))]);
      if (event.step % logEvery === 0 || event.step === event.totalSteps) {
        const eta = event.etaSeconds === undefined ? '' : `  eta ${Math.round(event.etaSeconds)}s`;
        console.log(`${lang}: step ${event.step}/${event.totalSteps}  loss ${event.loss.toFixed(4)}  lr ${event.lr.toExponential(2)}  ${Math.round(event.tokensPerSecond)} tok/s${eta}`);
      }
    } else if (event.type === 'eval') {
      console.log(`${lang}: held-out at step ${event.step}: loss ${event.loss.toFixed(4)}  perplexity ${event.perplexity.toFixed(1)} (${event.maskedTokens} masked tokens)`);
    } else if (event.type === 'stopped') {
      console.log(`${lang}: stopped at step ${event.step} (${event.reason}); rerun with --resume`);
      process.exit(130);
    } else if (event.type === 'done') {
      evals = event.evals;
      const report = {
        lang,
        command: `node tools/build-teachers.mjs ${process.argv.slice(2).join(' ')}`.trim(),
        tokenizer: path.relative(process.cwd(), teacher.tokenizer),
        text: files.map((f) => path.relative(process.cwd(), f)),
        model: { ...config.model, params: start.params, vocabSize: start.vocabSize },
        steps: event.step,
        // over every process of the build (a resumed build continues the first one's log)
        ...buildTotals(output),
        batch: `${config.optim.batchSize} × ${config.data.maxLength}`,
        secondsThisRun: Math.round((Date.now() - began) / 1000),
        finalTrainLoss: last?.loss,
        heldOut: { lines: start.heldOutLines, evals, finalPerplexity: evals.at(-1)?.perplexity },
        // steps of this process only (a resumed build has the earlier ones in pretrain-log.jsonl)
        lossCurve: curve,
      };
      await writeFileAtomic(path.join(output, 'pretrain-report.json'), `${JSON.stringify(report, null, 1)}\n`);
      console.log(`${lang}: done, ${event.files.join(', ')}, pretrain-report.json; final held-out perplexity ${report.heldOut.finalPerplexity?.toFixed(1)}`);
    }
  }
}
