import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend, KoenbertError } from '@koenbert/tensor-utils';
import { minilmV2RelationLoss, teacherRelations, type QkvTensors, type RelationWeights } from '../src/lib/losses/minilm-v2';

interface JsonTensor {
  shape: number[];
  data: number[];
}
interface JsonQkv {
  query: JsonTensor;
  key: JsonTensor;
  value: JsonTensor;
}
interface GoldenCase {
  name: string;
  relationHeads: number;
  weights: RelationWeights;
  temperature: number;
  attentionMask: number[][];
  teacher: JsonQkv;
  student: JsonQkv;
  expected: { total: number; qq: number; kk: number; vv: number };
  studentGradients: JsonQkv;
}

// Made by tools/golden/make-minilm-golden.py (torch 1.13, float64, independent per-head/per-query loop).
const golden = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'minilm-v2-golden.json'), 'utf8')) as { cases: GoldenCase[] };

const toTensor = (t: JsonTensor) => tf.tensor3d(t.data, t.shape as [number, number, number], 'float32');
const toQkv = (q: JsonQkv): QkvTensors => ({ query: toTensor(q.query), key: toTensor(q.key), value: toTensor(q.value) });

/** |a − b| ≤ atol + rtol·|b| elementwise; returns the worst excess (≤ 0 when all pass). */
function worstExcess(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): number {
  let worst = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i])));
  }
  return worst;
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('minilmV2RelationLoss against the PyTorch float64 golden file', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s: loss and per-relation values (float32, rtol 1e-5)', (_name, c) => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const loss = minilmV2RelationLoss({
        teacher: toQkv(c.teacher),
        student: toQkv(c.student),
        attentionMask: tf.tensor2d(c.attentionMask, undefined, 'int32'),
        numRelationHeads: c.relationHeads,
        weights: c.weights,
        temperature: c.temperature,
      });
      expect(loss.total.dataSync()[0]).toBeCloseTo(c.expected.total, 4);
      for (const type of ['qq', 'kk', 'vv'] as const) {
        expect(Math.abs(loss.perRelation[type].dataSync()[0] - c.expected[type])).toBeLessThanOrEqual(1e-5 * Math.abs(c.expected[type]) + 1e-6);
      }
      expect(Math.abs(loss.total.dataSync()[0] - c.expected.total)).toBeLessThanOrEqual(1e-5 * c.expected.total + 1e-6);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s: gradient w.r.t. the student Q/K/V (atol 1e-6 + rtol 1e-4)', (_name, c) => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const teacher = toQkv(c.teacher);
      const student = toQkv(c.student);
      const mask = tf.tensor2d(c.attentionMask, undefined, 'int32');
      const grads = tf.grads((query: tf.Tensor, key: tf.Tensor, value: tf.Tensor) =>
        minilmV2RelationLoss({
          teacher,
          student: { query: query as tf.Tensor3D, key: key as tf.Tensor3D, value: value as tf.Tensor3D },
          attentionMask: mask as tf.Tensor2D,
          numRelationHeads: c.relationHeads,
          weights: c.weights,
          temperature: c.temperature,
        }).total,
      )([student.query, student.key, student.value]);
      (['query', 'key', 'value'] as const).forEach((type, i) => {
        expect(worstExcess(grads[i].dataSync(), c.studentGradients[type].data, 1e-6, 1e-4)).toBeLessThanOrEqual(0);
      });
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('minilmV2RelationLoss gradient against finite differences (float32)', () => {
  it('central differences with eps 1e-2 agree within 2e-3 + 2 % on 24 coordinates, padded positions get 0', () => {
    const c = golden.cases[0];
    const teacher = toQkv(c.teacher);
    const mask = tf.tensor2d(c.attentionMask, undefined, 'int32');
    const lossOf = (query: tf.Tensor3D, key: tf.Tensor3D, value: tf.Tensor3D) =>
      minilmV2RelationLoss({ teacher, student: { query, key, value }, attentionMask: mask, numRelationHeads: c.relationHeads }).total;
    const base = c.student.query.data;
    const [batch, seq, hidden] = c.student.query.shape;
    const key = toTensor(c.student.key);
    const value = toTensor(c.student.value);
    const analytic = tf.tidy(() => tf.grad((q: tf.Tensor) => lossOf(q as tf.Tensor3D, key, value))(toTensor(c.student.query)).dataSync());
    const eps = 1e-2;
    for (let k = 0; k < 24; k++) {
      const index = (k * 37 + 5) % base.length;
      const at = (delta: number) =>
        tf.tidy(() => {
          const shifted = base.slice();
          shifted[index] += delta;
          return lossOf(tf.tensor3d(shifted, [batch, seq, hidden]), key, value).dataSync()[0];
        });
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - analytic[index])).toBeLessThanOrEqual(2e-3 + 0.02 * Math.abs(analytic[index]));
    }
    // the second sequence has 4 valid tokens: its padded positions take no part in the loss
    const padded = c.attentionMask[1].flatMap((m, pos) => (m === 0 ? Array.from({ length: hidden }, (_, h) => (1 * seq + pos) * hidden + h) : []));
    expect(padded.length).toBe(3 * hidden);
    for (const i of padded) expect(analytic[i]).toBe(0);
    tf.dispose([teacher.query, teacher.key, teacher.value, mask, key, value]);
  });
});

describe('minilmV2RelationLoss properties', () => {
  it('a copy of the teacher as student gives 0 and padding content does not change the loss', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const c = golden.cases[1];
      const teacher = toQkv(c.teacher);
      const mask = tf.tensor2d(c.attentionMask, undefined, 'int32');
      const same = minilmV2RelationLoss({ teacher, student: teacher, attentionMask: mask, numRelationHeads: c.relationHeads });
      expect(Math.abs(same.total.dataSync()[0])).toBeLessThan(1e-6);
      const student = toQkv(c.student);
      const reference = minilmV2RelationLoss({ teacher, student, attentionMask: mask, numRelationHeads: c.relationHeads }).total.dataSync()[0];
      // overwrite every padded position of the student with large values: the loss must not move
      const padMask = tf.expandDims(tf.sub(1, tf.cast(mask, 'float32')), 2);
      const noisy = (x: tf.Tensor3D) => tf.add(x, tf.mul(padMask, tf.fill(x.shape, 50))) as tf.Tensor3D;
      const withNoise = minilmV2RelationLoss({
        teacher,
        student: { query: noisy(student.query), key: noisy(student.key), value: noisy(student.value) },
        attentionMask: mask,
        numRelationHeads: c.relationHeads,
      }).total.dataSync()[0];
      expect(withNoise).toBeCloseTo(reference, 5);
      expect(reference).toBeGreaterThan(0.1);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('precomputed teacher relations give the same loss and gradient as the teacher Q/K/V', () => {
    const before = tf.memory().numTensors;
    const c = golden.cases[1];
    const teacher = toQkv(c.teacher);
    const student = toQkv(c.student);
    const mask = tf.tensor2d(c.attentionMask, undefined, 'int32') as tf.Tensor2D;
    const common = { attentionMask: mask, numRelationHeads: c.relationHeads, temperature: c.temperature };
    const relations = teacherRelations({ teacher, ...common });
    expect(relations.qq.shape).toEqual([3 * 4, 5, 5]);
    const run = (t: Parameters<typeof minilmV2RelationLoss>[0]['teacher']) =>
      tf.tidy(() => {
        const g = tf.grad((q: tf.Tensor) => minilmV2RelationLoss({ teacher: t, student: { ...student, query: q as tf.Tensor3D }, weights: c.weights, ...common }).total);
        return Array.from(g(student.query).dataSync());
      });
    expect(run(relations)).toEqual(run(teacher));
    expect(() => minilmV2RelationLoss({ teacher: relations, student, attentionMask: mask, numRelationHeads: 2 })).toThrow(/teacher qq relations are \[12, 5, 5\], expected \[6, 5, 5\]/);
    tf.dispose([teacher.query, teacher.key, teacher.value, student.query, student.key, student.value, mask, relations.qq, relations.kk, relations.vv]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the hidden size when it does not split into R relation heads', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 3, 10]) as tf.Tensor3D;
      const y = tf.zeros([1, 3, 12]) as tf.Tensor3D;
      const call = () =>
        minilmV2RelationLoss({ teacher: { query: y, key: y, value: y }, student: { query: x, key: x, value: x }, attentionMask: tf.ones([1, 3]) as tf.Tensor2D, numRelationHeads: 4 });
      expect(call).toThrow(KoenbertError);
      expect(call).toThrow(/student hidden size 10 does not split into 4 relation heads/);
    });
  });
});
