// One probe cell: `linearProbe` of @koenbert/eval-klue-glue on one model and task, result JSON to --out.
//   node tools/replication/probe-cell.mjs --model DIR --name NAME --task TASK --data DIR --out FILE [--cv K]
//     [--trainFile F] [--devFile F] [--devTokenizer ko|en|merged|task] [--seeds 3] [--seed 42] [--pooling mean] [--maxLength 128]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { linearProbe } from '@koenbert/eval-klue-glue';
import { initBackend, writeFileAtomic } from '@koenbert/tensor-utils';

const { values: f } = parseArgs({
  options: {
    model: { type: 'string' },
    name: { type: 'string' },
    task: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    cv: { type: 'string' },
    trainFile: { type: 'string' },
    devFile: { type: 'string' },
    devTokenizer: { type: 'string' },
    seeds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
    pooling: { type: 'string', default: 'mean' },
    maxLength: { type: 'string', default: '128' },
  },
});
for (const key of ['model', 'name', 'task', 'data', 'out']) {
  if (!f[key]) {
    process.stderr.write(`probe-cell: --${key} is required\n`);
    process.exit(2);
  }
}
await initBackend({ backend: 'wasm' });
const result = await linearProbe({
  model: f.model,
  modelName: f.name,
  task: f.task,
  dataDir: f.data,
  ...(f.trainFile ? { trainFile: f.trainFile } : {}),
  ...(f.devFile ? { devFile: f.devFile } : {}),
  ...(f.devTokenizer ? { devTokenizer: f.devTokenizer } : {}),
  ...(f.cv ? { cv: Number(f.cv) } : {}),
  seeds: Number(f.seeds),
  seed: Number(f.seed),
  pooling: f.pooling,
  maxLength: Number(f.maxLength),
});
await writeFileAtomic(path.resolve(f.out), `${JSON.stringify(result, null, 2)}\n`);
const primary = result.metrics[result.primaryMetric];
process.stdout.write(`probe ${f.name} ${f.task}: ${result.primaryMetric} ${(100 * primary.mean).toFixed(2)} ± ${(100 * primary.std).toFixed(2)} (${Math.round(result.seconds)} s)\n`);
