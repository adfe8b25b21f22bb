import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import { initBackend } from '@koenbert/tensor-utils';
import { encodeAligned, loadWordPieceTokenizer, readMergeMap } from '@koenbert/tokenizer-merge';
import { heldOutRelationLoss, minilmV2RelationLoss } from '../src';
import { makeTinySetup, type TinySetup } from './helpers/tiny-setup';
import { removeDir, tempDir } from './helpers/temp-dir';

let root: string;
let tiny: TinySetup;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  root = await tempDir();
  tiny = await makeTinySetup(root);
});
afterAll(() => removeDir(root));

async function linesOf(file: string, count: number): Promise<string[]> {
  return (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean).slice(0, count);
}

async function models() {
  return {
    teacherKo: await BertModel.fromPretrained(tiny.teacherKo, { task: 'base' }),
    teacherEn: await BertModel.fromPretrained(tiny.teacherEn, { task: 'base' }),
    copyOfKo: await BertModel.fromPretrained(tiny.studentCopyOfKo, { task: 'base' }),
    student: await BertModel.fromPretrained(tiny.student, { task: 'base' }),
    merged: await readMergeMap(tiny.mergedDir),
    koTokenizer: await loadWordPieceTokenizer(tiny.teacherKo),
    enTokenizer: await loadWordPieceTokenizer(tiny.teacherEn),
  };
}

describe('heldOutRelationLoss', () => {
  it('is 0 for a student that is the teacher (same weights, Korean ids kept) and > 0 for a random student', async () => {
    const m = await models();
    const lines = await linesOf(tiny.koText, 20);
    const common = { merged: m.merged, teacherTokenizer: m.koTokenizer, lang: 'ko' as const, lines, maxLength: 32, relationHeads: 4, teacherLayer: 1, studentLayer: 1 };
    const same = heldOutRelationLoss({ ...common, teacher: m.teacherKo, student: m.copyOfKo });
    // KL of a distribution with itself: only float32 rounding of identical computations remains
    expect(same.loss).toBeLessThan(1e-6);
    const random = heldOutRelationLoss({ ...common, teacher: m.teacherKo, student: m.student });
    expect(random.loss).toBeGreaterThan(1e-3);
    expect(random.sequences).toBe(20);
  });

  it('equals the token-weighted mean of per-line losses and does not depend on the batch size', async () => {
    const m = await models();
    const lines = await linesOf(tiny.enText, 9);
    const common = { student: m.student, teacher: m.teacherEn, merged: m.merged, teacherTokenizer: m.enTokenizer, lang: 'en' as const, lines, maxLength: 32, relationHeads: 4, teacherLayer: 1, studentLayer: 1 };
    const whole = heldOutRelationLoss({ ...common, batchSize: 4 });
    // independent reference: each line alone through minilmV2RelationLoss (no padding at all), weighted by its length
    let weighted = 0;
    let tokens = 0;
    for (const text of lines) {
      const e = encodeAligned({ text, lang: 'en', merged: m.merged, teacher: m.enTokenizer, maxLength: 32 });
      const loss = tf.tidy(() => {
        const mask = tf.ones([1, e.teacherIds.length], 'int32') as tf.Tensor2D;
        const qkv = (model: BertModel, ids: number[]) => model.forward({ inputIds: tf.tensor2d([ids], undefined, 'int32'), attentionMask: mask, outputQkvLayers: [1] }).qkv![0];
        return minilmV2RelationLoss({ teacher: qkv(m.teacherEn, e.teacherIds), student: qkv(m.student, e.studentIds), attentionMask: mask, numRelationHeads: 4 }).total.dataSync()[0];
      });
      weighted += loss * e.teacherIds.length;
      tokens += e.teacherIds.length;
    }
    expect(whole.tokens).toBe(tokens);
    expect(whole.loss).toBeCloseTo(weighted / tokens, 5);
    const single = heldOutRelationLoss({ ...common, batchSize: 1 });
    expect(Math.abs(single.loss - whole.loss) / whole.loss).toBeLessThan(1e-5);
  });

  it('refuses an empty set of lines', async () => {
    const m = await models();
    expect(() =>
      heldOutRelationLoss({ student: m.student, teacher: m.teacherEn, merged: m.merged, teacherTokenizer: m.enTokenizer, lang: 'en', lines: ['', '  '], maxLength: 32, relationHeads: 4, teacherLayer: 1, studentLayer: 1 }),
    ).toThrow(/no non-empty en lines/);
  });
});
