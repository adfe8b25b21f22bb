import { formatInitEmbeddingsReport, type InitEmbeddingsReport } from '../src/lib/init-report';
import { parseInitEmbeddingsConfig } from '../src/lib/config';

const metrics = (r2: number, cosine: number, top1: number, top5: number) => ({ count: 400, r2, meanCosine: cosine, top1, top5, queries: 400 });

const report: InitEmbeddingsReport = {
  format: 'koenbert-embed-init-report/1',
  korean: { source: 'ko', vocabSize: 50135, hiddenSize: 768 },
  english: { source: 'en', vocabSize: 30522, hiddenSize: 768 },
  merged: { vocabSize: 77780, added: 27645 },
  pairs: { shared: 1883, special: 5, nonWord: 0, pairs: 1878, train: 1502, heldOut: 376 },
  chosen: { method: 'ridge', details: { lambda: 12.345, alpha: 0.03 }, seconds: 1.234 },
  scores: [
    { method: 'ridge', heldOut: metrics(0.41234, 0.65, 0.125, 0.301), details: { lambda: 12.345, alpha: 0.03 }, seconds: 1.5 },
    { method: 'lstsq', heldOut: null, details: {}, seconds: 0.01, error: 'lstsq needs more pairs than dimensions' },
    { method: 'subword-mean', heldOut: metrics(-0.5, 0.2, 0, 0.01), details: { fallbacks: 3 }, seconds: 12.25 },
  ],
  timings: { loadSeconds: 1, scoreSeconds: 2, fitSeconds: 1.234, writeSeconds: 0.5 },
  backend: 'wasm',
  files: [],
  config: parseInitEmbeddingsConfig({ korean: 'ko', english: 'en', tokenizer: 't', output: 'o' }),
};

describe('formatInitEmbeddingsReport', () => {
  it('prints the pairs, the fill and one aligned row per method', () => {
    expect(formatInitEmbeddingsReport(report).split('\n')).toEqual([
      'pairs: 1,878 of 1,883 shared tokens (5 special left out); held out 376, trained on 1,502',
      'rows added: 27,645 (vocab 50,135 → 77,780), English hidden 768 → Korean hidden 768',
      'filled with: ridge (λ 12.3, α 0.03), fit on all pairs in 1.23s',
      '',
      'method            R²  cosine  top-1  top-5   time  notes',
      '------------  ------  ------  -----  -----  -----  ----------------------------------------------',
      'ridge          0.412   0.650  12.5%  30.1%  1.50s  λ 12.3, α 0.03',
      'lstsq              –       –      –      –  0.01s  failed: lstsq needs more pairs than dimensions',
      'subword-mean  -0.500   0.200   0.0%   1.0%  12.3s  3 without pieces',
      '',
      'held-out scores: R² and cosine of mapped vs true Korean embeddings; top-k: true row among the k nearest of 376 held-out rows (400 queries)',
    ]);
  });
});
