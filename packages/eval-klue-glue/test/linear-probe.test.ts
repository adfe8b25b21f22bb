import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend, SeededRng } from '@koenbert/tensor-utils';
import { linearProbe } from '../src';
import { applyRidgeProbe, fitRidgeProbe } from '../src/lib/probe/ridge-probe';
import { describeIfSharedData, SHARED_DATA } from './shared-data';
import { makeTinyBert } from './tiny-model';

describe('ridge probe', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('recovers an exact linear score (regression) to float32 precision', () => {
    const rng = new SeededRng(1);
    const rows = 400;
    const cols = 6;
    const w = [0.5, -1, 2, 0, 0.25, -0.75];
    const x = new Float32Array(rows * cols).map(() => rng.normal());
    const y = Array.from({ length: rows }, (_, i) => 3 + w.reduce((sum, wj, j) => sum + wj * x[i * cols + j], 0));
    const probe = fitRidgeProbe({ x, rows, cols, targets: y, numClasses: 0, seed: 0 });
    const predicted = applyRidgeProbe({ probe, x, rows, cols, classify: false });
    // the smallest α of the grid wins on noise-free data; its shrinkage is ~1e-4 relative
    const worst = Math.max(...predicted.map((p, i) => Math.abs(p - y[i])));
    expect(worst).toBeLessThan(5e-3);
    expect(probe.alpha).toBe(1e-4);
  });

  it('classifies separable classes (arg-max of one-hot ridge outputs)', () => {
    const rng = new SeededRng(2);
    const rows = 300;
    const cols = 4;
    const centres = [[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0]];
    const targets = Array.from({ length: rows }, (_, i) => i % 3);
    const x = new Float32Array(rows * cols).map((_, k) => centres[targets[Math.floor(k / cols)]][k % cols] + 0.3 * rng.normal());
    const probe = fitRidgeProbe({ x, rows, cols, targets, numClasses: 3, seed: 0 });
    const predicted = applyRidgeProbe({ probe, x, rows, cols, classify: true });
    expect(predicted).toEqual(targets);
  });
});

/** An SST-2-format task whose label is which of two words the sentence repeats: any injective encoder separates it. */
function writeWordTask(dir: string): void {
  const folder = path.join(dir, 'glue', 'sst2');
  mkdirSync(folder, { recursive: true });
  const rng = new SeededRng(3);
  const lines = (count: number) =>
    Array.from({ length: count }, () => {
      const label = rng.nextFloat() < 0.5 ? 0 : 1;
      const word = label ? 'music' : 'water';
      const filler = ['the', 'a', 'of', 'and'][Math.floor(rng.nextFloat() * 4)];
      return `${filler} ${word} ${filler} ${word}\t${label}`;
    });
  writeFileSync(path.join(folder, 'train.tsv'), ['sentence\tlabel', ...lines(120)].join('\n'));
  writeFileSync(path.join(folder, 'dev.tsv'), ['sentence\tlabel', ...lines(60)].join('\n'));
}

describeIfSharedData(['tokenizers/bert-base-uncased'], 'linearProbe on a frozen random BERT', () => {
  let model: string;
  let dataDir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    model = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'tokenizers/bert-base-uncased'), hidden: 32 });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'probe-data-'));
    writeWordTask(dataDir);
  });

  it('train → dev: separates what the features hold, far above the majority class', async () => {
    const result = await linearProbe({ model, task: 'glue-sst2', dataDir, seeds: 2, maxLength: 16 });
    expect(result.mode).toBe('train-dev');
    expect(result.evalExamples).toBe(60);
    expect(result.metrics.accuracy!.values).toHaveLength(2);
    expect(result.metrics.accuracy!.mean).toBe(1);
    expect(result.majorityBaseline!.accuracy!).toBeLessThan(0.7);
  });

  it('cv: every dev example is scored once by a probe fitted without it', async () => {
    const outputDir = mkdtempSync(path.join(os.tmpdir(), 'probe-out-'));
    const result = await linearProbe({ model, modelName: 'tiny', task: 'glue-sst2', dataDir, cv: 3, pooling: 'cls', maxLength: 16, outputDir });
    expect(result.mode).toBe('cv');
    expect(result.folds).toBe(3);
    expect(result.alphas[0]).toHaveLength(3);
    expect(result.trainExamples).toBe(40);
    expect(result.metrics.accuracy!.mean).toBeGreaterThan(0.9);
  });
});

/** KLUE NER format: entity words always carry the same tags, so token identity alone predicts them. */
function writeNerTask(file: string, count: number): void {
  const rng = new SeededRng(4);
  const words: Array<[string, string]> = [['서울', 'LC'], ['경찰', 'OG'], ['오늘', ''], ['날씨', ''], ['좋다', ''], ['학교', ''], ['친구', '']];
  const blocks = Array.from({ length: count }, (_, n) => {
    const chosen = Array.from({ length: 5 }, () => words[Math.floor(rng.nextFloat() * words.length)]);
    const text = chosen.map(([w]) => w).join(' ');
    const rows: string[] = [];
    chosen.forEach(([word, type], w) => {
      if (w > 0) rows.push(' \tO');
      [...word].forEach((char, c) => rows.push(`${char}\t${type ? `${c === 0 ? 'B' : 'I'}-${type}` : 'O'}`));
    });
    return [`## synthetic-${n}\t${text}`, ...rows].join('\n');
  });
  writeFileSync(file, `${blocks.join('\n\n')}\n`);
}

describeIfSharedData(['tokenizers/kcelectra-base'], 'linearProbe on NER (token features)', () => {
  it('reads token labels out of frozen per-token features, far above all-O', async () => {
    await initBackend({ backend: 'wasm' });
    const model = await makeTinyBert({ tokenizerDir: path.join(SHARED_DATA, 'tokenizers/kcelectra-base'), hidden: 32 });
    const devFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'probe-ner-')), 'ner-dev.tsv');
    writeNerTask(devFile, 120);
    const result = await linearProbe({ model, task: 'klue-ner', devFile, cv: 2, maxLength: 32 });
    expect(result.evalExamples).toBe(120);
    expect(result.metrics.entity_macro_f1!.mean).toBeGreaterThan(0.9);
    expect(result.majorityBaseline!.entity_macro_f1!).toBe(0);
    expect(result.metrics.char_macro_f1!.mean).toBeGreaterThan(result.majorityBaseline!.char_macro_f1! + 0.3);
  });
});
