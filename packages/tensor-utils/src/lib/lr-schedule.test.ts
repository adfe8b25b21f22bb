import { KoenbertError } from './errors';
import { constantWithWarmup, linearWarmupDecay } from './lr-schedule';

// Values worked out by hand from transformers' lr_lambda (step / warmup, then (total − step) / (total − warmup)),
// times peakLr = 1e-3. (The torch LambdaLR comparison inside a training loop is in adamw.test.ts.)
describe('linearWarmupDecay', () => {
  it.each([
    // step, warmupSteps, totalSteps, expected
    [0, 4, 12, 0],
    [1, 4, 12, 0.25e-3],
    [3, 4, 12, 0.75e-3],
    [4, 4, 12, 1e-3], // peak right after warmup
    [8, 4, 12, 0.5e-3],
    [11, 4, 12, 0.125e-3],
    [12, 4, 12, 0],
    [50, 4, 12, 0], // past the end: stays 0
    [0, 0, 10, 1e-3], // no warmup: starts at the peak
    [5, 0, 10, 0.5e-3],
    [0, 10, 10, 0], // warmup only
    [9, 10, 10, 0.9e-3],
    [10, 10, 10, 0], // max(1, total − warmup) guards the division
  ])('step %p, warmup %p, total %p → %p', (step, warmupSteps, totalSteps, expected) => {
    expect(linearWarmupDecay({ step, peakLr: 1e-3, warmupSteps, totalSteps })).toBeCloseTo(expected, 15);
  });

  it('rejects negative or fractional steps and totals before the warmup ends', () => {
    expect(() => linearWarmupDecay({ step: -1, peakLr: 1e-3, warmupSteps: 2, totalSteps: 5 })).toThrow(KoenbertError);
    expect(() => linearWarmupDecay({ step: 1.5, peakLr: 1e-3, warmupSteps: 2, totalSteps: 5 })).toThrow(/step must be an integer/);
    expect(() => linearWarmupDecay({ step: 1, peakLr: NaN, warmupSteps: 2, totalSteps: 5 })).toThrow(/peakLr/);
    expect(() => linearWarmupDecay({ step: 1, peakLr: 1e-3, warmupSteps: 6, totalSteps: 5 })).toThrow(/totalSteps \(5\) must be ≥ warmupSteps \(6\)/);
  });
});

describe('constantWithWarmup', () => {
  it.each([
    [0, 4, 0],
    [2, 4, 1e-3 / 2],
    [4, 4, 1e-3],
    [1000, 4, 1e-3],
    [0, 0, 1e-3],
  ])('step %p, warmup %p → %p', (step, warmupSteps, expected) => {
    expect(constantWithWarmup({ step, peakLr: 1e-3, warmupSteps })).toBeCloseTo(expected, 15);
  });
});
