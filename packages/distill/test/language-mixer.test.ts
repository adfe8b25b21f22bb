import { englishProbability, languageForStep, parseMixSchedule } from '../src/lib/data/language-mixer';

describe('language mixer', () => {
  it('draws English with the ratio’s probability (binomial bounds over 20 000 steps)', () => {
    for (const ratio of [0.5, 0.2, 0.9]) {
      let english = 0;
      const n = 20000;
      for (let step = 0; step < n; step++) if (languageForStep({ seed: 7, step, englishRatio: ratio }) === 'en') english++;
      const sd = Math.sqrt(n * ratio * (1 - ratio));
      expect(Math.abs(english - n * ratio)).toBeLessThan(4 * sd);
    }
  });

  it('is a function of (seed, step) only, and different seeds give different sequences', () => {
    const draw = (seed: number) => Array.from({ length: 64 }, (_, step) => languageForStep({ seed, step, englishRatio: 0.5 })).join('');
    expect(draw(1)).toBe(draw(1));
    expect(draw(1)).not.toBe(draw(2));
    expect(languageForStep({ seed: 3, step: 5, englishRatio: 0 })).toBe('ko');
    expect(languageForStep({ seed: 3, step: 5, englishRatio: 1 })).toBe('en');
  });

  it('interpolates a schedule linearly and holds its ends', () => {
    const schedule = parseMixSchedule('100:0.8, 300:0.4,400:0.4');
    expect(schedule).toEqual([{ step: 100, en: 0.8 }, { step: 300, en: 0.4 }, { step: 400, en: 0.4 }]);
    expect(englishProbability({ step: 0, englishRatio: 0.5, schedule })).toBe(0.8);
    expect(englishProbability({ step: 200, englishRatio: 0.5, schedule })).toBeCloseTo(0.6, 12);
    expect(englishProbability({ step: 1000, englishRatio: 0.5, schedule })).toBe(0.4);
    expect(() => parseMixSchedule('10:0.5,5:0.2')).toThrow(/must increase/);
    expect(() => parseMixSchedule('10:1.5')).toThrow(/English probability in \[0, 1\]/);
  });
});
