import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface GoldenFit {
  weight: number[];
  bias: number[];
}

export interface GoldenRegression {
  name: string;
  n: number;
  d: number;
  e: number;
  x: number[];
  y: number[];
  foldOf: number[];
  alphas: number[];
  ridgeFixed: GoldenFit & { lambda: number };
  ridgeCv: GoldenFit & { curve: Array<{ alpha: number; lambda: number; mse: number }>; bestAlpha: number };
  lstsq: GoldenFit;
  procrustes: GoldenFit & { scale: number };
  procrustesNoScale: GoldenFit;
}

export interface Golden {
  regression: GoldenRegression[];
  eigen: Array<{ n: number; matrix: number[]; values: number[] }>;
  svd: Array<{ rows: number; cols: number; matrix: number[]; values: number[] }>;
}

/** test/fixtures/embed-init-golden.json, made by tools/golden/make-embed-init-golden.py (numpy). */
export function loadGolden(): Golden {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'embed-init-golden.json'), 'utf8')) as Golden;
}

/** Largest |a − b| relative to the largest |b| (a scale-free error for a whole matrix). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (actual.length !== expected.length) return Infinity;
  return diff / (scale || 1);
}
