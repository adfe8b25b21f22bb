// Builds the project's own small teachers with masked-language modelling (@koenbert/distill pretrainMlmIter):
//   runs/teachers/ko: Korean WordPiece of ../shared/data/tokenizers/kcelectra-base, Korean text of ../shared/data/text/ko
//   runs/teachers/en: bert-base-uncased WordPiece, English text of ../shared/data/text/en
// Each folder ends as an HF BertForMaskedLM + tokenizer, with pretrain-report.json (loss curve, held-out perplexity).
// Run from the repository root after `npm run build` (defaults: H 128, L 2, 4 heads, batch 16 × 128, 1000 steps per
// language, 35–50 min each on one core; the two languages may run at once, one process each):
//   node tools/build-teachers.mjs [--lang ko|en|ko,en] [--steps 1000] …
// Add --resume to continue a killed build.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pretrainMlmIter } from '@koenbert/distill';
import { initBackend, writeFileAtomic } from '@koenbert/tensor-utils';

const { values: flags } = parseArgs({
  options: {
    lang: { type: 'string', default: 'ko,en' },
    out: { type: 'string', default: 'runs/teachers' },
    shared: { type: 'string', default: path.resolve(process.cwd(), '../shared/data') },
    steps: { type: 'string', default: '1000' },
    hidden: { type: 'string', default: '128' },
    layers: { type: 'string', default: '2' },
    heads: { type: 'string', default: '4' },
    batch: { type: 'string', default: '16' },
    'max-length': { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    'eval-every': { type: 'string', default: '250' },
    'eval-lines': { type: 'string', default: '256' },
    'checkpoint-every': { type: 'string', default: '250' },
    'log-every': { type: 'string', default: '25' },
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
    files: ['kocohub-unlabeled-comments-5.txt', 'parakqc-v1.txt', 'kolaw-constitution.txt', 'kobill'].map((f) => path.join(shared, 'text', 'ko', f)),
  },
  en: {
    tokenizer: path.join(shared, 'tokenizers', 'bert-base-uncased'),
    files: ['wikitext-2-valid.txt', 'tinyshakespeare.txt', 'gutenberg'].map((f) => path.join(shared, 'text', 'en', f)),
  },
};

await initBackend({ backend: 'wasm' });
for (const lang of flags.lang.split(',').map((l) => l.trim())) {
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
