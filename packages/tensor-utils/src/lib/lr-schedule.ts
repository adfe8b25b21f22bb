import { KoenbertError } from './errors';

/**
 * Learning rates as transformers' schedules compute them (torch LambdaLR with `scheduler.step()` after each
 * `optimizer.step()`): `step` is the 0-based index of the optimizer update about to run, so update 0 uses
 * warmup's first value (0 when warmupSteps > 0).
 */

/**
 * transformers.get_linear_schedule_with_warmup: rises linearly from 0 to `peakLr` over `warmupSteps`, then falls
 * linearly to 0 at `totalSteps` (and stays 0 after it).
 */
export function linearWarmupDecay(params: { step: number; peakLr: number; warmupSteps: number; totalSteps: number }): number {
  const { step, peakLr, warmupSteps, totalSteps } = params;
  checkSchedule({ step, peakLr, warmupSteps, totalSteps });
  if (step < warmupSteps) return peakLr * (step / Math.max(1, warmupSteps));
  return peakLr * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/** transformers.get_constant_schedule_with_warmup: linear warmup from 0, then `peakLr` for good. */
export function constantWithWarmup(params: { step: number; peakLr: number; warmupSteps: number }): number {
  const { step, peakLr, warmupSteps } = params;
  checkSchedule({ step, peakLr, warmupSteps });
  if (step < warmupSteps) return peakLr * (step / Math.max(1, warmupSteps));
  return peakLr;
}

function checkSchedule(values: Record<string, number>): void {
  for (const [field, value] of Object.entries(values)) {
    const valid = field === 'peakLr' ? Number.isFinite(value) && value >= 0 : Number.isInteger(value) && value >= 0;
    if (!valid) {
      const expected = field === 'peakLr' ? 'a finite number ≥ 0' : 'an integer ≥ 0';
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `learning-rate schedule: ${field} must be ${expected}, got ${value}` });
    }
  }
  if (values.totalSteps !== undefined && values.totalSteps < values.warmupSteps) {
    throw new KoenbertError({
      code: 'INVALID_ARGUMENT',
      message: `learning-rate schedule: totalSteps (${values.totalSteps}) must be ≥ warmupSteps (${values.warmupSteps})`,
    });
  }
}
