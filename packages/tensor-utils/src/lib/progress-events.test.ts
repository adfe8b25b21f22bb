import { etaSeconds, firstStepEvent, formatDuration, formatPlanDuration, type ProgressEvent } from './progress-events';

describe('formatDuration', () => {
  it.each([
    [0, '0.0s'],
    [0.44, '0.4s'],
    [9.94, '9.9s'],
    [9.96, '10s'],
    [42.4, '42s'],
    [59.6, '1m 00s'],
    [187, '3m 07s'],
    [3600, '1h 00m 00s'],
    [7509, '2h 05m 09s'],
    [86_399.4, '23h 59m 59s'],
    [86_400, '1d 00h 00m'],
    [274_200, '3d 04h 10m'],
    [-1, '?'],
    [NaN, '?'],
    [Infinity, '?'],
    [undefined, '?'],
  ])('%p s → %p', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('etaSeconds', () => {
  it.each([
    // step, total, elapsed, expected
    [25, 100, 10, 30], // 75 left at 0.4 s each
    [1, 3, 2.5, 5],
    [100, 100, 50, 0],
    [120, 100, 50, 0],
    [0, 100, 5, undefined], // no step done yet
    [10, undefined, 5, undefined], // no total
    [10, 100, 0, undefined],
  ])('step %p of %p after %p s → %p', (step, total, elapsedSeconds, expected) => {
    expect(etaSeconds({ step, total, elapsedSeconds })).toBe(expected);
  });

  it('works with a ProgressEvent as stages yield it', () => {
    const event: ProgressEvent = { type: 'progress', stage: 'distill', step: 40, total: 1000, metrics: { loss: 2.5 } };
    expect(formatDuration(etaSeconds({ ...event, elapsedSeconds: 20 }))).toBe('8m 00s');
  });
});

describe('first step and plan durations', () => {
  it.each([
    [34.2, '34.2 s'],
    [119.9, '119.9 s'],
    [750, '12.5 minutes'],
    [12_240, '3.4 hours'],
    [3_420_000, '39.6 days'],
    [NaN, '?'],
  ])('formatPlanDuration(%p) = %p', (seconds, text) => {
    expect(formatPlanDuration(seconds)).toBe(text);
  });

  it('firstStepEvent: the whole run and what is left at the first step’s speed', () => {
    expect(firstStepEvent({ stage: 'distill', seconds: 2.5, steps: 100_000 })).toEqual({
      type: 'first-step',
      stage: 'distill',
      seconds: 2.5,
      steps: 100_000,
      runSeconds: 250_000,
      etaSeconds: 249_997.5,
    });
    expect(firstStepEvent({ stage: 'x', seconds: 2, steps: 1 }).etaSeconds).toBe(0);
  });
});
