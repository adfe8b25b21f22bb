import { formatPlanDuration, type FirstStepEvent } from '@koenbert/tensor-utils';

/**
 * The one line a first-step event becomes, e.g.
 * "distill: first step 34.2 s; 100,000 steps ≈ 39.6 days at this speed".
 */
export function firstStepLine(event: FirstStepEvent): string {
  const steps = `${event.steps.toLocaleString('en-US')} step${event.steps === 1 ? '' : 's'}`;
  return `${event.stage}: first step ${formatPlanDuration(event.seconds)}; ${steps} ≈ ${formatPlanDuration(event.runSeconds)} at this speed`;
}

export function isFirstStepEvent(event: unknown): event is FirstStepEvent {
  return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'first-step';
}
