import type { StepNeed } from '@koenbert/tensor-utils';
import { estimateTrainingMemory, type TrainingMemoryParams } from './estimate-training-memory';

/**
 * estimateTrainingMemory's answer in the form checkStepMemory (and the out-of-memory message of a training run) reads:
 * the total, the largest tensor, and the parts named for people ("AdamW moments", "activations of 8 × 128 tokens").
 */
export function trainingStepNeed(params: TrainingMemoryParams): StepNeed {
  const estimate = estimateTrainingMemory(params);
  const { bytes } = estimate;
  const parts: Array<[string, number]> = [
    ['weights', bytes.weights],
    ['gradients', bytes.gradients],
    ['AdamW moments', bytes.optimizer],
  ];
  if (bytes.teachers > 0) parts.push([`teachers (${(estimate.teacherParams / 1e6).toFixed(0)}M params)`, bytes.teachers]);
  parts.push([`activations of ${params.batchSize} × ${params.seqLength} tokens`, bytes.activations]);
  return { totalBytes: bytes.total, largestTensor: estimate.largestTensor, parts };
}
