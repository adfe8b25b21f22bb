import type { TensorRecord } from '@koenbert/tensor-utils';

/** A task-head tensor of the checkpoint that did not fit the requested head and was replaced by a fresh one. */
export interface MismatchedHead {
  name: string;
  checkpointShape: number[];
  expectedShape: number[];
}

/**
 * transformers' `ignore_mismatched_sizes` for the task head only: checkpoint `classifier.*` tensors whose shape
 * differs from the head being built (another label count — a 2-class checkpoint fine-tuned on a 7-class task) are
 * left out, so the head is initialised fresh and the mismatch reported. Encoder tensors are never dropped here: a
 * wrong encoder shape stays an error.
 */
export function dropMismatchedHead(params: {
  tensors: ReadonlyMap<string, TensorRecord>;
  shapes: ReadonlyMap<string, number[]>;
}): { tensors: Map<string, TensorRecord>; mismatched: MismatchedHead[] } {
  const tensors = new Map(params.tensors);
  const mismatched: MismatchedHead[] = [];
  for (const [name, record] of params.tensors) {
    if (!name.startsWith('classifier.')) continue;
    const expected = params.shapes.get(name);
    if (!expected) continue;
    const same = record.shape.length === expected.length && record.shape.every((dim, i) => dim === expected[i]);
    if (same) continue;
    tensors.delete(name);
    mismatched.push({ name, checkpointShape: [...record.shape], expectedShape: [...expected] });
  }
  return { tensors, mismatched };
}
