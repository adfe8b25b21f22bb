import { initBackend } from '../backend/init-backend';
import { isKoenbertError, KoenbertError } from '../errors';
import { NATIVE_WAY_OUT, type PlannedStep, type StepNeed, type StepSize } from './check-step-memory';
import { explainOutOfMemory } from './explain-out-of-memory';
import { memoryLimits } from './memory-limits';

const GiB = 2 ** 30;
/** 1 GiB fixed plus 0.5 GiB per sequence: batch 8 needs 5 GiB, batch 4 with accumulation 3 GiB. */
function estimate(size: StepSize): StepNeed {
  const activations = 0.5 * GiB * size.batchSize;
  return { totalBytes: GiB + activations, largestTensor: { what: 'attention maps', bytes: activations / 8 }, parts: [['weights', GiB], ['activations', activations]] };
}
const step: PlannedStep = {
  what: 'distill',
  size: { batchSize: 8, seqLength: 128, gradAccumulation: 1 },
  estimate,
  options: { batchSize: 'optim.batchSize', seqLength: 'data.maxLength', gradAccumulation: 'optim.gradAccumulation' },
};
// @ts-expect-error -- Node has the WebAssembly global, @types/node 20 does not declare it (see web-assembly-api.ts)
const heapExhausted = (): Error => new WebAssembly.RuntimeError('memory access out of bounds');

describe('explainOutOfMemory', () => {
  test('a heap exhausted during training becomes OUT_OF_MEMORY with the estimate and the ways out; the cause is kept', () => {
    const error = heapExhausted();
    const explained = explainOutOfMemory({ error, step, limits: memoryLimits({ backend: 'wasm' }) }) as KoenbertError;
    expect(isKoenbertError(explained) && explained.code).toBe('OUT_OF_MEMORY');
    expect(explained.message).toBe(
      "distill: ran out of memory on wasm during training (memory access out of bounds; the estimate was 5.0 GiB of the wasm heap's 4 GiB). " +
        `Ways out: optim.batchSize 4 optim.gradAccumulation 2 (the same 8 sequences per step), about 3.0 GiB; or ${NATIVE_WAY_OUT}`,
    );
    expect(explained.cause).toBe(error);
  });

  test('without a planned step: the generic ways out; limits default to the current backend', async () => {
    await initBackend({ backend: 'wasm' });
    const explained = explainOutOfMemory({ error: new RangeError('Array buffer allocation failed') }) as Error;
    expect(explained.message).toBe(
      `ran out of memory on wasm during training (Array buffer allocation failed; the cap is the wasm heap's 4 GiB). Ways out: a smaller micro-batch with gradient accumulation, shorter sequences; or ${NATIVE_WAY_OUT}`,
    );
  });

  test('any other error (an OUT_OF_MEMORY line already made included) is returned as it is', () => {
    const other = new Error('ENOENT: en.txt');
    expect(explainOutOfMemory({ error: other, step })).toBe(other);
    const made = explainOutOfMemory({ error: heapExhausted(), step, limits: memoryLimits({ backend: 'wasm' }) });
    expect(explainOutOfMemory({ error: made, step })).toBe(made);
  });
});
