// Speed of the vocab merge on the real tokenizers (KcELECTRA 50,135 + bert-base-uncased 30,522) against references
// measured in the same run (these were wall-clock asserts in the tokenizer-merge tests, < 2 s each, which a busy
// machine could fail; issue 17):
//  - buildMergeMap alone, and the merge stage's `mergeMs` (buildMergeMap, the merged tokenizer.json built and loaded
//    into HF tokenizers, tokenizer-ko/en.json) as mergeVocabsIter reports it;
//  - references: loading both tokenizer folders (loadTokenizerDir: reading and parsing the same files), and the least
//    work a merge can do (a Map of the Korean vocab, one lookup per English token, the missing ones appended).
// Rounds alternate (reference, buildMergeMap, merge stage, …) so that a change of load hits all alike; medians.
// Needs ../shared/data/tokenizers. Rerun from the repository root:
//   npx nx run-many -t build -p tensor-utils tokenizer-merge && node tools/bench/bench-merge-map.mjs [--repeats 5]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMergeMap, loadTokenizerDir, mergeVocabsIter } from '@koenbert/tokenizer-merge';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KOREAN = path.resolve(root, '../shared/data/tokenizers/kcelectra-base');
const ENGLISH = path.resolve(root, '../shared/data/tokenizers/bert-base-uncased');
const repeatsFlag = process.argv.indexOf('--repeats');
const REPEATS = repeatsFlag > 0 ? Number(process.argv[repeatsFlag + 1]) : 5;
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

async function timed(run) {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** The merge stage's own mergeMs: the iterator is stopped after its 'merged' event (nothing is written). */
async function mergeStageMs() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-merge-map-'));
  try {
    for await (const event of mergeVocabsIter({ korean: KOREAN, english: ENGLISH, output: path.join(work, 'out') })) {
      if (event.type === 'merged') return event.mergeMs;
    }
    throw new Error('mergeVocabsIter ended without a merged event');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const korean = (await loadTokenizerDir(KOREAN)).spec;
const english = (await loadTokenizerDir(ENGLISH)).spec;
const times = { load: [], lookup: [], buildMergeMap: [], mergeStage: [] };
for (let i = 0; i <= REPEATS; i++) {
  const round = {
    load: await timed(async () => Promise.all([loadTokenizerDir(KOREAN), loadTokenizerDir(ENGLISH)])),
    lookup: await timed(() => {
      const ids = new Map(korean.vocab.map((token, id) => [token, id]));
      const vocab = [...korean.vocab];
      for (const token of english.vocab) if (!ids.has(token)) ids.set(token, vocab.push(token) - 1);
    }),
    buildMergeMap: await timed(() => buildMergeMap({ korean, english })),
    mergeStage: await mergeStageMs(),
  };
  if (i > 0) for (const [name, ms] of Object.entries(round)) times[name].push(ms); // round 0 is the warm-up
}
const ms = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));

console.log(`# bench-merge-map: ${os.cpus()[0].model}, ${os.cpus().length} vCPU, load ${os.loadavg()[0].toFixed(1)}; node ${process.version}`);
console.log(`# KcELECTRA ${korean.vocab.length} + bert-base-uncased ${english.vocab.length}; median of ${REPEATS} alternating rounds after one warm-up`);
console.log('');
console.log('| step | ms | / loading both folders | / Map-lookup merge |');
console.log('|---|---:|---:|---:|');
for (const [label, name] of [['loading both tokenizer folders (reference)', 'load'], ['Map-lookup merge (reference)', 'lookup'], ['buildMergeMap', 'buildMergeMap'], ['merge stage (mergeMs)', 'mergeStage']]) {
  console.log(`| ${label} | ${ms[name].toFixed(1)} | ${(ms[name] / ms.load).toFixed(2)}× | ${(ms[name] / ms.lookup).toFixed(1)}× |`);
}
