// Builds one small folder of every kind koenbert writes, with koenbert's own CLI and tiny configs on ../shared/data:
// two pretrain-mlm teachers (Korean on the kcelectra-base vocab, English on bert-base-uncased), the merged tokenizer
// (merge-vocab), the student (init-embeddings), a distilled student (distill, a few steps) and the
// BertForSequenceClassification / BertForTokenClassification that eval fine-tunes (eval keeps them in memory and writes
// no model folder, so these are built and saved with @koenbert/bert the way eval builds them: fromPretrained(student, task)).
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BertModel } from '@koenbert/bert';

const run = promisify(execFile);
const TINY_MODEL = ['--model.hiddenSize', '32', '--model.numLayers', '2', '--model.numHeads', '4', '--model.intermediateSize', '64'];

export async function buildArtifacts({ root, data, work, log = () => {} }) {
  const cli = path.join(root, 'packages/cli/dist/bin.cjs');
  const koenbert = async (args) => {
    const started = Date.now();
    try {
      await run(process.execPath, [cli, '--progress-interval', '0', ...args, '--overwrite'], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, KOENBERT_WASM_THREADS: process.env.KOENBERT_WASM_THREADS ?? '1' },
      });
    } catch (error) {
      const last = String(error.stderr || error.message).trim().split('\n').slice(-3).join(' | ');
      throw new Error(`koenbert ${args[0]} failed: ${last}`);
    }
    log(`koenbert ${args[0]} → ${args[args.indexOf('--output') + 1]} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  const at = (name) => path.join(work, name);
  const ko = { tokenizer: path.join(data, 'tokenizers/kcelectra-base'), text: path.join(data, 'text/ko/kolaw-constitution.txt') };
  const en = { tokenizer: path.join(data, 'tokenizers/bert-base-uncased'), text: path.join(data, 'text/en/wikitext-2-valid.txt') };
  const pretrain = (lang, output) =>
    koenbert(['pretrain-mlm', '--tokenizer', lang.tokenizer, '--data.files', lang.text, '--output', output, '--steps', '2', ...TINY_MODEL,
      '--data.maxLength', '32', '--data.shuffleBuffer', '50', '--optim.batchSize', '2', '--eval.every', '2', '--eval.maxLines', '4', '--checkpoint.every', '100']);

  await pretrain(ko, at('teacher-ko'));
  await pretrain(en, at('teacher-en'));
  await koenbert(['merge-vocab', '--korean', at('teacher-ko'), '--english', at('teacher-en'), '--output', at('merged-tokenizer'),
    '--koreanText', ko.text, '--englishText', en.text, '--maxSentencesPerSource', '50']);
  await koenbert(['init-embeddings', '--korean', at('teacher-ko'), '--english', at('teacher-en'), '--tokenizer', at('merged-tokenizer'),
    '--output', at('student-init'), '--compare', 'ridge', '--nnQueries', '50', '--ridge.folds', '2']);
  await koenbert(['distill', '--student', at('student-init'), '--output', at('distilled'), '--teachers.ko.model', at('teacher-ko'),
    '--teachers.en.model', at('teacher-en'), '--steps', '3', '--data.ko', ko.text, '--data.en', en.text, '--data.maxLength', '32',
    '--data.shuffleBuffer', '50', '--optim.batchSize', '2', '--loss.relationHeads', '4', '--checkpoint.every', '100']);

  // what eval fine-tunes: the distilled student with a fresh classifier (KLUE NLI's 3 labels; KLUE NER's 13 BIO tags)
  // and the encoder alone (task base: BertModel with pooler), as @koenbert/bert saves it for feature extraction
  for (const [name, task, numLabels] of [['eval-classifier', 'sequence-classification', 3], ['eval-tagger', 'token-classification', 13], ['encoder', 'base', undefined]]) {
    const model = await BertModel.fromPretrained(at('distilled'), { task, numLabels, seed: 7 });
    await fs.mkdir(at(name), { recursive: true });
    await model.savePretrained(at(name));
    model.dispose();
    for (const file of await fs.readdir(at('distilled'))) {
      if (/^(tokenizer.*\.json|vocab\.txt|special_tokens_map\.json|merge-map\.json)$/.test(file)) await fs.copyFile(path.join(at('distilled'), file), path.join(at(name), file));
    }
    log(`@koenbert/bert ${task} → ${at(name)}`);
  }

  const teachers = { ko: at('teacher-ko'), en: at('teacher-en') };
  return [
    { kind: 'teacher-ko (pretrain-mlm)', dir: at('teacher-ko'), task: 'masked-lm' },
    { kind: 'teacher-en (pretrain-mlm)', dir: at('teacher-en'), task: 'masked-lm' },
    { kind: 'merged tokenizer (merge-vocab)', dir: at('merged-tokenizer'), task: null, teachers },
    { kind: 'student-init (init-embeddings)', dir: at('student-init'), task: 'masked-lm', teachers },
    { kind: 'distilled student (distill)', dir: at('distilled'), task: 'masked-lm', teachers },
    { kind: 'eval classifier (sequence-classification)', dir: at('eval-classifier'), task: 'sequence-classification', numLabels: 3, teachers },
    { kind: 'eval tagger (token-classification)', dir: at('eval-tagger'), task: 'token-classification', numLabels: 13, teachers },
    { kind: 'encoder (BertModel, savePretrained task base)', dir: at('encoder'), task: 'base', teachers },
  ];
}
