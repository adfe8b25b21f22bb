// The replication's cells: one model × task × instrument each, one command each, one committed JSON each.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { modelFingerprint } from './fingerprint.mjs';
import { FINETUNE_OPTIONS, FINETUNE_TASKS, MICRO_BATCH, FIRST_SEED, PROBE_OPTIONS, SEEDS, TRAIN_SUBSETS } from './protocol.mjs';

export function cellFile(paths, { model, task, instrument }) {
  return path.join(paths.cells, instrument, model, `${task}.json`);
}

export function relationFile(paths, { model, language }) {
  return path.join(paths.cells, 'relation-loss', `${model}.${language}.json`);
}

/** A cell is finished when its file exists and was measured on the model's current weights. */
export async function cellState(paths, cell) {
  const file = cellFile(paths, cell);
  if (!existsSync(file)) return 'todo';
  const record = JSON.parse(readFileSync(file, 'utf8'));
  const current = await modelFingerprint(paths.models[cell.model]);
  return record.fingerprint === current ? 'done' : 'stale';
}

/** Data flags of one task: the train subset file where the protocol uses one, the zero-shot dev file, k-fold. */
function dataFlags(paths, data, task) {
  const spec = FINETUNE_TASKS[task];
  const flags = ['--dataDir', data];
  if (TRAIN_SUBSETS[task]) flags.push('--trainFile', subsetFile(paths, task));
  if (spec.devFile) flags.push('--devFile', path.join(data, spec.devFile));
  if (spec.devTokenizer) flags.push('--devTokenizer', spec.devTokenizer);
  if (spec.cv) flags.push('--cv', String(spec.cv));
  return flags;
}

export function subsetFile(paths, task) {
  return path.join(paths.data, `${task}-train-${TRAIN_SUBSETS[task].limit}${path.extname(TRAIN_SUBSETS[task].file)}`);
}

/** `koenbert eval` arguments of a fine-tuning cell (3 seeds, the shared hyperparameters, the task's epochs). */
export function finetuneArgs(paths, data, { model, task }) {
  const spec = FINETUNE_TASKS[task];
  const o = FINETUNE_OPTIONS;
  return [
    'eval', '--model', paths.models[model], '--modelName', model, '--task', spec.task, ...dataFlags(paths, data, task),
    '--epochs', String(spec.epochs), '--lr', String(o.lr), '--batchSize', String(o.batchSize), '--maxLength', String(o.maxLength),
    '--warmupRatio', String(o.warmupRatio), '--weightDecay', String(o.weightDecay), '--checkpoint', o.checkpoint,
    '--seed', String(FIRST_SEED), '--seeds', String(SEEDS), '--outputDir', path.join(paths.scratch, task),
    ...(MICRO_BATCH[model] ? ['--microBatchSize', String(MICRO_BATCH[model])] : []),
  ];
}

/** probe-cell.mjs arguments of a probe cell. */
export function probeArgs(paths, data, { model, task }, out) {
  const spec = FINETUNE_TASKS[task];
  const flags = dataFlags(paths, data, task).map((flag) => (flag === '--dataDir' ? '--data' : flag));
  return [
    '--model', paths.models[model], '--name', model, '--task', spec.task, ...flags, '--out', out,
    '--seeds', String(SEEDS), '--seed', String(FIRST_SEED), '--pooling', PROBE_OPTIONS.pooling, '--maxLength', String(PROBE_OPTIONS.maxLength),
  ];
}

/** Where `koenbert eval` leaves a fine-tuning cell's result (copied into the committed cell file). */
export function finetuneResultFile(paths, { model, task }) {
  return path.join(paths.scratch, task, model, `${FINETUNE_TASKS[task].task}.json`);
}
