import type { FirstStepEvent, JsonlLogger } from '@koenbert/tensor-utils';

/** Writes a trainer's first-step event to its JSONL log (`event: 'first-step'`, as its other records) and returns it. */
export function logFirstStep(logger: JsonlLogger, first: FirstStepEvent): FirstStepEvent {
  const { type, ...record } = first;
  logger.log({ event: type, ...record });
  return first;
}
