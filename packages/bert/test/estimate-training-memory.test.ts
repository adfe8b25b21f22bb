import { ACTIVATION_COEFFICIENTS, estimateTrainingMemory, type BertSizes } from '../src/lib/estimate-training-memory';

const tiny: BertSizes = { vocab_size: 10, hidden_size: 4, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8, max_position_embeddings: 16, type_vocab_size: 2 };
// word 40 + position 64 + type 8 + LayerNorm 8; layer: Q/K/V/output 4 × 20 + LayerNorm 8 + FFN 40 + 36 + LayerNorm 8; pooler 20
const TINY_PARAMS = 120 + 172 + 20;
const base = (vocab: number): BertSizes => ({ vocab_size: vocab, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 512, type_vocab_size: 2 });

describe('estimateTrainingMemory', () => {
  test('closed form on a tiny config (batch 2 × 3, no dropout)', () => {
    const e = estimateTrainingMemory({ model: tiny, task: 'base', batchSize: 2, seqLength: 3, dropout: false });
    expect(e.params).toBe(TINY_PARAMS);
    // N = 6 tokens: N·H = 24, N·F = 48, B·A·T² = 36; forward = 4·24 + (19·24 + 3·48 + 4·36) = 840 floats
    const forward = 4 * 24 + (19 * 24 + 3 * 48 + 4 * 36);
    expect(forward).toBe(840);
    const P = TINY_PARAMS;
    expect(e.bytes).toEqual({
      weights: 4 * P,
      gradients: 4 * P,
      optimizer: 8 * P,
      teachers: 0,
      activations: 4 * 1.5 * forward,
      total: 4 * P + 8 * P + 4 * P + 4 * 1.5 * forward,
    });
    expect(ACTIVATION_COEFFICIENTS.backwardFactor).toBe(1.5);
  });

  test('dropout, accumulation, teachers and relation maps add their terms', () => {
    const P = TINY_PARAMS;
    const e = estimateTrainingMemory({ model: tiny, task: 'base', batchSize: 2, seqLength: 3, dropout: true, gradAccumulation: 2, teachers: [tiny, tiny], relationHeads: 2 });
    const forward = 9 * 24 + (29 * 24 + 3 * 48 + 9 * 36) + 3 * 2.5 * (2 * 2 * 9);
    expect(e.teacherParams).toBe(2 * P);
    expect(e.bytes.gradients).toBe(8 * P); // the running sum
    expect(e.bytes.teachers).toBe(8 * P);
    expect(e.bytes.activations).toBe(4 * (1.5 * forward + 3 * 36));
    expect(e.bytes.total).toBe(4 * P + 8 * P + 8 * P + 8 * P + e.bytes.activations);
  });

  test('when the clipped copy of the gradients is the peak it counts instead of the activations', () => {
    const e = estimateTrainingMemory({ model: { ...tiny, vocab_size: 100_000 }, task: 'base', batchSize: 1, seqLength: 2, dropout: false });
    expect(e.bytes.activations).toBe(4 * e.params);
    expect(e.largestTensor).toEqual({ what: 'word embeddings 100000 × 4', bytes: 1_600_000 });
  });

  test('linear in the batch, quadratic attention in the length', () => {
    const at = (batchSize: number, seqLength: number) => estimateTrainingMemory({ model: tiny, task: 'base', batchSize, seqLength, dropout: false }).bytes.activations;
    expect(at(4, 3)).toBe(2 * at(2, 3));
    expect(at(2, 6) - 2 * at(2, 3)).toBe(4 * 1.5 * 4 * (2 * 2 * 36 - 2 * 2 * 2 * 9));
  });

  test('masked-lm decodes the masked share only', () => {
    const mlm = estimateTrainingMemory({ model: tiny, task: 'masked-lm', batchSize: 2, seqLength: 10, dropout: false, mlmPositionsShare: 0.15 });
    const plain = estimateTrainingMemory({ model: tiny, task: 'masked-lm', batchSize: 2, seqLength: 10, dropout: false, mlmPositionsShare: 0 });
    expect(mlm.bytes.activations - plain.bytes.activations).toBe(4 * 1.5 * 4 * 3 * 10);
  });

  test('calibration: the MiniLM-size distillation step of packages/distill/README.md (wasm heap high-water 2429 MiB)', () => {
    const size = (vocab: number): BertSizes => ({ ...base(vocab), hidden_size: 384, num_hidden_layers: 6, intermediate_size: 1536 });
    const e = estimateTrainingMemory({ model: size(77_780), task: 'base', batchSize: 8, seqLength: 128, teachers: [size(30_522), size(50_135)], relationHeads: 48 });
    const mib = e.bytes.total / 2 ** 20;
    expect(mib).toBeGreaterThan(2429 * 0.85);
    expect(mib).toBeLessThan(2429 * 1.1);
    // tensors live between steps (weights, moments, teachers): measured 658 MiB
    expect((e.bytes.weights + e.bytes.optimizer + e.bytes.teachers) / 2 ** 20).toBeCloseTo(670, -1);
  });

  test('the original recipe (146M student, two 110M teachers, batch 16 × 256) needs far more than 4 GiB', () => {
    const e = estimateTrainingMemory({ model: base(77_780), task: 'base', batchSize: 16, seqLength: 256, teachers: [base(30_522), base(32_000)], relationHeads: 24 });
    expect(e.params / 1e6).toBeCloseTo(145.8, 0);
    expect(e.bytes.total / 2 ** 30).toBeGreaterThan(15);
  });
});
