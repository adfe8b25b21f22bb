import { KoenbertError } from '@koenbert/tensor-utils';
import type { Language } from './detect-language';

/** A point of a mixing schedule: from `step` on, English has probability `en` (linear in between points). */
export interface MixPoint {
  step: number;
  en: number;
}

/**
 * The probability that step `step` is an English batch: a constant `englishRatio`, or a piecewise-linear
 * `schedule` over steps (held constant before the first point and after the last).
 */
export function englishProbability(params: { step: number; englishRatio: number; schedule?: MixPoint[] }): number {
  const { step, schedule } = params;
  if (!schedule || schedule.length === 0) return params.englishRatio;
  if (step <= schedule[0].step) return schedule[0].en;
  for (let i = 1; i < schedule.length; i++) {
    const a = schedule[i - 1];
    const b = schedule[i];
    if (step <= b.step) return a.en + ((b.en - a.en) * (step - a.step)) / (b.step - a.step);
  }
  return schedule[schedule.length - 1].en;
}

/** A uniform number in [0, 1) that depends only on (seed, step): murmur3's 32-bit finaliser over both. */
function uniformForStep(seed: number, step: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(step >>> 0, 0x85ebca77) ^ Math.floor(step / 2 ** 32)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 2 ** 32;
}

/**
 * The language of a step's batch (every micro-batch of a step shares it, so batches are language-homogeneous).
 * A function of (seed, step) alone, so a resumed run draws exactly what an uninterrupted one would.
 */
export function languageForStep(params: { seed: number; step: number; englishRatio: number; schedule?: MixPoint[] }): Language {
  const p = englishProbability(params);
  if (!(p >= 0 && p <= 1)) {
    throw new KoenbertError({ code: 'MIX_RATIO', message: `English probability must be in [0, 1], got ${p} at step ${params.step}` });
  }
  return uniformForStep(params.seed, params.step) < p ? 'en' : 'ko';
}

/** Parses a schedule flag such as `0:0.8,5000:0.5` (step:English probability, steps increasing). */
export function parseMixSchedule(text: string): MixPoint[] {
  const points = text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*:\s*([0-9.eE+-]+)\s*$/.exec(part);
    const en = match ? Number(match[2]) : NaN;
    if (!match || !(en >= 0 && en <= 1)) {
      throw new KoenbertError({ code: 'MIX_SCHEDULE', message: `mix schedule entry "${part}" must be <step>:<English probability in [0, 1]>` });
    }
    return { step: Number(match[1]), en };
  });
  for (let i = 1; i < points.length; i++) {
    if (points[i].step <= points[i - 1].step) {
      throw new KoenbertError({ code: 'MIX_SCHEDULE', message: `mix schedule steps must increase (${points[i - 1].step} then ${points[i].step})` });
    }
  }
  return points;
}
