/**
 * What long-running stages (distill, fine-tune, eval) yield from their async iterators besides their own events:
 * kept minimal so every stage and the CLI's progress renderer agree on it. Library code never draws; the CLI does.
 */
export interface ProgressEvent {
  type: 'progress';
  /** Which stage or phase, e.g. 'distill', 'eval:klue-nli'. */
  stage: string;
  /** Units done so far (steps, batches, examples), counted from 0. */
  step: number;
  /** Units in all, when known. */
  total?: number;
  /** Latest numbers worth showing, e.g. { loss: 2.31, tokensPerSecond: 1840 }. */
  metrics?: Record<string, number>;
}

/**
 * Yielded once, after the first optimizer step a run does in this process (distill, pretrain-mlm, eval's fine-tuning):
 * how long that step took and what the whole run would take at that speed, so a user sees at once that a run is
 * hours, or months, before waiting for a progress bar to settle. The first step includes one-time costs (allocating
 * the heap, compiling kernels), so the figure leans long.
 */
export interface FirstStepEvent {
  type: 'first-step';
  stage: string;
  /** Wall-clock seconds of the first step. */
  seconds: number;
  /** Optimizer steps this run does (the first included; for a resumed run, those left). */
  steps: number;
  /** seconds × steps: the whole run at this speed. */
  runSeconds: number;
  /** seconds × (steps − 1): what is left after the first step. */
  etaSeconds: number;
}

/** The first-step event of a run of `steps` steps whose first took `seconds`. */
export function firstStepEvent(params: { stage: string; seconds: number; steps: number }): FirstStepEvent {
  const { stage, seconds, steps } = params;
  return { type: 'first-step', stage, seconds, steps, runSeconds: seconds * steps, etaSeconds: seconds * Math.max(0, steps - 1) };
}

/**
 * A long duration in one unit people plan with: '34.2 s', '12.5 minutes', '3.4 hours', '39.6 days' (one decimal;
 * days from 48 hours on, hours from 120 minutes, minutes from 120 seconds).
 */
export function formatPlanDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 120 * 60) return `${(seconds / 60).toFixed(1)} minutes`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} hours`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/**
 * Seconds left at a constant rate: (total − step) · elapsedSeconds / step. Undefined when it cannot be known yet
 * (no step done, no total, nothing elapsed); 0 once step ≥ total.
 */
export function etaSeconds(params: { step: number; total?: number; elapsedSeconds: number }): number | undefined {
  const { step, total, elapsedSeconds } = params;
  if (total === undefined || !Number.isFinite(total) || !Number.isFinite(step) || !Number.isFinite(elapsedSeconds)) return undefined;
  if (step >= total) return 0;
  if (step <= 0 || elapsedSeconds <= 0) return undefined;
  return ((total - step) * elapsedSeconds) / step;
}

/**
 * A duration for people: '0.4s', '42s', '3m 07s', '2h 05m 09s', '3d 04h 10m'. Rounds to the unit shown
 * (tenths below 10 s, then seconds, minutes from a day on). Undefined, negative or non-finite input gives '?'.
 */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 9.95) return `${seconds.toFixed(1)}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 86_400 - 0.5) {
    const whole = Math.round(seconds);
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = whole % 60;
    if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
    if (m > 0) return `${m}m ${pad(s)}s`;
    return `${s}s`;
  }
  const minutes = Math.round(seconds / 60);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  return `${d}d ${pad(h)}h ${pad(minutes % 60)}m`;
}
