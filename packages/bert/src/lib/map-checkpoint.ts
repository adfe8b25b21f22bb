import { KoenbertError, toFloat32, type TensorRecord } from '@koenbert/tensor-utils';
import { encoderPrefix, type BertTask } from './bert-task';
import type { MismatchedHead } from './pretrained-head-mismatch';

/** What loading did besides copying matching tensors (transformers logs the same three lists). */
export interface LoadReport {
  /** The weight file that was read. */
  file: string;
  /** Parameters the checkpoint lacks; they were initialised as `create` does (e.g. a new classifier). */
  missing: string[];
  /** Checkpoint tensors this task does not use (e.g. `cls.seq_relationship.*`, a pooler for masked-lm); ignored. */
  unexpected: string[];
  /** Renames and ties applied (LayerNorm gamma/beta, tied decoder, `bert.` prefix added or removed). */
  notes: string[];
  /** With `ignoreMismatchedSizes`: task-head tensors of another shape, replaced by fresh ones (absent when none). */
  mismatched?: MismatchedHead[];
}

const ENCODER_PARTS = ['embeddings.', 'encoder.', 'pooler.'];

/** The legacy TF-converted LayerNorm names (`gamma`/`beta`) as today's (`weight`/`bias`). */
function modernLayerNormName(name: string): string {
  return name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
}

/** The name a checkpoint tensor has in the model for `task`, with or without the `bert.` prefix in the file. */
function targetName(name: string, task: BertTask): string {
  const bare = name.startsWith('bert.') ? name.slice('bert.'.length) : name;
  if (ENCODER_PARTS.some((part) => bare.startsWith(part))) return `${encoderPrefix(task)}${bare}`;
  return name;
}

/**
 * Maps a checkpoint's tensors onto the parameters of `task` (`shapes`: name → expected shape, from the config):
 * `bert.` prefix added or stripped, gamma/beta renamed, the tied MLM decoder skipped (it is the word embeddings),
 * F16/BF16 widened to F32. A shape that disagrees with the config is a KoenbertError naming the file, the tensor,
 * the expected and the actual shape. Parameters without a tensor are returned in `missing` for the caller to initialise.
 */
export function mapCheckpoint(params: {
  tensors: Map<string, TensorRecord>;
  shapes: Map<string, number[]>;
  task: BertTask;
  file: string;
  sourceOf?: (name: string) => string;
  /** Says where an expected shape comes from, for the error (default: the config). */
  shapeOrigin?: (name: string) => string;
}): { values: Map<string, Float32Array>; report: LoadReport } {
  const { tensors, shapes, task, file } = params;
  const sourceOf = params.sourceOf ?? (() => file);
  const shapeOrigin = params.shapeOrigin ?? (() => 'config.json');
  const values = new Map<string, Float32Array>();
  const unexpected: string[] = [];
  const notes = new Set<string>();
  let decoderBias: { name: string; record: TensorRecord } | undefined;

  for (const [name, record] of tensors) {
    const modern = modernLayerNormName(name);
    if (modern !== name) notes.add('renamed LayerNorm gamma/beta to weight/bias');
    const target = targetName(modern, task);
    if (target !== modern) notes.add(target.startsWith('bert.') ? "added the 'bert.' prefix" : "removed the 'bert.' prefix");
    if (/(^|\.)position_ids$/.test(modern)) continue; // a buffer (arange), not a parameter
    if (task === 'masked-lm' && modern === 'cls.predictions.decoder.weight') {
      notes.add('cls.predictions.decoder.weight is tied to the word embeddings');
      continue;
    }
    if (task === 'masked-lm' && modern === 'cls.predictions.decoder.bias') {
      decoderBias = { name, record };
      continue;
    }
    const expected = shapes.get(target);
    if (!expected) {
      unexpected.push(name);
      continue;
    }
    values.set(target, checkedValues({ name, record, expected, file: sourceOf(name), origin: shapeOrigin(target) }));
  }
  if (decoderBias && !values.has('cls.predictions.bias')) {
    const expected = shapes.get('cls.predictions.bias') as number[];
    values.set('cls.predictions.bias', checkedValues({ ...decoderBias, expected, file: sourceOf(decoderBias.name), origin: shapeOrigin('cls.predictions.bias') }));
    notes.add('cls.predictions.bias taken from cls.predictions.decoder.bias');
  }
  const encoderLoaded = [...values.keys()].some((name) => name.startsWith(`${encoderPrefix(task)}encoder.`));
  if (!encoderLoaded) {
    throw new KoenbertError({
      code: 'CHECKPOINT_INVALID',
      file,
      message: `no BERT encoder weights found (expected names like ${encoderPrefix(task)}encoder.layer.0.attention.self.query.weight, with or without 'bert.')`,
    });
  }
  const missing = [...shapes.keys()].filter((name) => !values.has(name));
  return { values, report: { file, missing, unexpected, notes: [...notes] } };
}

function checkedValues(params: { name: string; record: TensorRecord; expected: number[]; file: string; origin: string }): Float32Array {
  const { name, record, expected, file, origin } = params;
  if (record.dtype !== 'F32' && record.dtype !== 'F16' && record.dtype !== 'BF16') {
    throw new KoenbertError({ code: 'WEIGHT_DTYPE_INVALID', file, message: `tensor "${name}" is ${record.dtype}; a weight must be F32, F16 or BF16` });
  }
  const same = record.shape.length === expected.length && record.shape.every((dim, i) => dim === expected[i]);
  if (!same) {
    throw new KoenbertError({
      code: 'WEIGHT_SHAPE_MISMATCH',
      file,
      message: `tensor "${name}" has shape [${record.shape.join(', ')}] but ${origin} expects [${expected.join(', ')}]`,
    });
  }
  return toFloat32(record);
}
