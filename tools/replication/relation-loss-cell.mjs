// Held-out MiniLMv2 relation loss of one student against one teacher (`heldOutRelationLoss` of @koenbert/distill).
//   node tools/replication/relation-loss-cell.mjs --student DIR --teacher DIR --lang en|ko --text F [--text F] --out FILE
//     [--relationHeads R] [--maxLength 128] [--maxLines 2000]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BertModel } from '@koenbert/bert';
import { defaultTeacherLayer, heldOutRelationLoss } from '@koenbert/distill';
import { initBackend, writeFileAtomic } from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer, readMergeMap } from '@koenbert/tokenizer-merge';

const { values: f } = parseArgs({
  options: {
    student: { type: 'string' },
    teacher: { type: 'string' },
    lang: { type: 'string' },
    text: { type: 'string', multiple: true },
    out: { type: 'string' },
    relationHeads: { type: 'string' },
    maxLength: { type: 'string', default: '128' },
    maxLines: { type: 'string', default: '2000' },
  },
});
for (const key of ['student', 'teacher', 'lang', 'text', 'out']) {
  if (!f[key]) {
    process.stderr.write(`relation-loss-cell: --${key} is required\n`);
    process.exit(2);
  }
}
await initBackend({ backend: 'wasm' });
const student = await BertModel.fromPretrained(f.student, { task: 'base' });
const teacher = await BertModel.fromPretrained(f.teacher, { task: 'base' });
const lines = f.text.flatMap((file) => readFileSync(file, 'utf8').split('\n')).filter((line) => line.trim()).slice(0, Number(f.maxLines));
// 16-dimensional relation heads, as MiniLMv2's 48 heads of BERT-large (1024/48 ≈ 21) and 24 of BERT-base (768/24 = 32) roughly keep
const relationHeads = Number(f.relationHeads ?? Math.max(1, Math.floor(Math.min(student.config.hidden_size, teacher.config.hidden_size) / 16)));
const started = Date.now();
const result = heldOutRelationLoss({
  student,
  teacher,
  merged: await readMergeMap(f.student),
  teacherTokenizer: await loadWordPieceTokenizer(f.teacher),
  lang: f.lang,
  lines,
  maxLength: Number(f.maxLength),
  relationHeads,
  teacherLayer: defaultTeacherLayer(teacher.config.num_hidden_layers) - 1,
  studentLayer: student.config.num_hidden_layers - 1,
});
const record = { ...result, lang: f.lang, student: f.student, teacher: f.teacher, text: f.text.map((t) => path.basename(t)), relationHeads, seconds: (Date.now() - started) / 1000 };
await writeFileAtomic(path.resolve(f.out), `${JSON.stringify(record, null, 2)}\n`);
process.stdout.write(`relation loss ${path.basename(f.student)} vs ${f.lang} teacher: ${result.loss.toFixed(4)} over ${result.tokens} tokens\n`);
