import { checkStepMemory, isOutOfMemoryError, NATIVE_WAY_OUT, type StepNeed, type StepSize } from './check-step-memory';
import { KoenbertError } from '../errors';
import { formatBytes, memoryLimits, WASM_HEAP_BYTES } from './memory-limits';

const GiB = 2 ** 30;
/** 2 GiB fixed plus 0.25 GiB per sequence of 128 tokens (quadratic in the length), a second 0.5 GiB with accumulation. */
function estimate(size: StepSize): StepNeed {
  const activations = 0.25 * GiB * size.batchSize * (size.seqLength / 128) ** 2;
  const fixed = 2 * GiB + (size.gradAccumulation > 1 ? 0.5 * GiB : 0);
  return { totalBytes: fixed + activations, largestTensor: { what: 'attention maps', bytes: activations / 8 }, parts: [['weights', fixed], ['activations', activations]] };
}
const distillOptions = { batchSize: '--optim.batchSize', seqLength: '--data.maxLength', gradAccumulation: '--optim.gradAccumulation' };
const wasm = memoryLimits({ backend: 'wasm', systemBytes: 24 * GiB });

describe('memoryLimits', () => {
  test('wasm: the 4 GiB heap; webgpu: the smaller adapter limit per tensor; tensorflow: none', () => {
    expect(wasm).toMatchObject({ heapBytes: WASM_HEAP_BYTES, heapName: "the wasm heap's 4 GiB" });
    const gpu = memoryLimits({ backend: 'webgpu', adapter: { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB }, systemBytes: GiB });
    expect(gpu.tensorBytes).toBe(2 * GiB);
    expect(gpu.heapBytes).toBeUndefined();
    expect(memoryLimits({ backend: 'tensorflow', systemBytes: GiB })).toEqual({ backend: 'tensorflow', systemBytes: GiB });
  });

  test('formatBytes', () => {
    expect(formatBytes(21.23 * GiB)).toBe('21.2 GiB');
    expect(formatBytes(512 * 2 ** 20)).toBe('512 MiB');
  });
});

describe('checkStepMemory', () => {
  test('a step that fits passes without a message', () => {
    const check = checkStepMemory({ what: 'distill', size: { batchSize: 4, seqLength: 128, gradAccumulation: 1 }, estimate, limits: wasm, options: distillOptions });
    expect(check.fits).toBe(true);
    expect(check.message).toBeUndefined();
    expect(check.warning).toBeUndefined();
    expect(check.need.totalBytes).toBe(3 * GiB);
  });

  test('too large on wasm: one line with the numbers, the micro-batch that keeps the batch, and the native backend', () => {
    const check = checkStepMemory({ what: 'distill', size: { batchSize: 16, seqLength: 128, gradAccumulation: 1 }, estimate, limits: wasm, options: distillOptions });
    expect(check.fits).toBe(false);
    expect(check.message).not.toContain('\n');
    expect(check.message).toBe(
      `distill: one training step of batch 16 × 128 tokens needs about 6.0 GiB on wasm (weights 2.0 GiB + activations 4.0 GiB), more than the wasm heap's 4 GiB. ` +
        `Ways out: --optim.batchSize 4 --optim.gradAccumulation 4 (the same 16 sequences per step), about 3.5 GiB; or ${NATIVE_WAY_OUT}`,
    );
  });

  test('without gradient accumulation the way out is a smaller batch, said to change the recipe', () => {
    const check = checkStepMemory({ what: 'eval', size: { batchSize: 16, seqLength: 128, gradAccumulation: 1 }, estimate, limits: wasm, options: { batchSize: '--batchSize', seqLength: '--maxLength' } });
    expect(check.message).toContain('Ways out: --batchSize 6 (a smaller batch: a different recipe), about 3.5 GiB; or install @tensorflow/tfjs-node');
  });

  test('a command that splits its batch itself: the micro-batch option alone, any size, keeping the batch', () => {
    const options = { batchSize: '--batchSize', seqLength: '--maxLength', microBatchSize: '--microBatchSize' };
    const check = checkStepMemory({ what: 'eval', size: { batchSize: 12, seqLength: 128, gradAccumulation: 1 }, estimate, limits: wasm, options });
    // micro-batch 4 would fit exactly at 3.5 GiB; 12 = 5 + 5 + 2 is fine too, but 5 is over the 90 % margin (3.75 GiB)
    expect(check.message).toContain('Ways out: --microBatchSize 4 (the same 12 sequences per step), about 3.5 GiB; or install');
    const split = checkStepMemory({ what: 'eval', size: { batchSize: 8, seqLength: 128, gradAccumulation: 2 }, estimate, limits: wasm, options });
    expect(split.message).toMatch(/^eval: one training step of batch 16 in micro-batches of 8 × 128 tokens needs about 4\.5 GiB/);
  });

  test('when no micro-batch fits, a shorter length; when nothing fits, says so', () => {
    const long = checkStepMemory({ what: 'distill', size: { batchSize: 2, seqLength: 512, gradAccumulation: 1 }, estimate, limits: wasm, options: distillOptions });
    expect(long.message).toContain('Ways out: shorter sequences: --data.maxLength 256 --optim.batchSize 1 --optim.gradAccumulation 2, about 3.5 GiB; or install');
    const huge = (size: StepSize): StepNeed => ({ ...estimate(size), totalBytes: 5 * GiB + estimate(size).totalBytes });
    const none = checkStepMemory({ what: 'distill', size: { batchSize: 2, seqLength: 128, gradAccumulation: 1 }, estimate: huge, limits: wasm, options: distillOptions });
    expect(none.message).toContain("Ways out: none on wasm: even batch 1 × 32 tokens with accumulation needs about 7.5 GiB, more than the wasm heap's 4 GiB; or install @tensorflow/tfjs-node");
  });

  test('webgpu refuses a tensor over the adapter limit; tensorflow only warns against the machine memory', () => {
    const gpu = memoryLimits({ backend: 'webgpu', adapter: { maxBufferSize: GiB, maxStorageBufferBindingSize: 0.25 * GiB }, systemBytes: 64 * GiB });
    const refused = checkStepMemory({ what: 'distill', size: { batchSize: 16, seqLength: 128, gradAccumulation: 1 }, estimate, limits: gpu, options: distillOptions });
    expect(refused.message).toContain("its largest tensor (attention maps, 512 MiB) is over the WebGPU adapter's largest buffer a shader binds (256 MiB)");
    expect(refused.message).toContain('--optim.batchSize 8 --optim.gradAccumulation 2');
    expect(refused.message).toContain('which have no WebGPU buffer limit');
    const native = checkStepMemory({ what: 'distill', size: { batchSize: 64, seqLength: 128, gradAccumulation: 1 }, estimate, limits: memoryLimits({ backend: 'tensorflow', systemBytes: 8 * GiB }), options: distillOptions });
    expect(native.fits).toBe(true);
    expect(native.warning).toBe("distill: one training step needs about 18.0 GiB, more than this machine's 8.0 GiB of memory: expect swapping or a crash; lower --optim.batchSize or --data.maxLength");
  });
});

describe('isOutOfMemoryError', () => {
  test('the wasm heap errors, not others', () => {
    // @ts-expect-error -- Node has the WebAssembly global, @types/node 20 does not declare it (see web-assembly-api.ts)
    expect(isOutOfMemoryError(new WebAssembly.RuntimeError('memory access out of bounds'))).toBe(true);
    expect(isOutOfMemoryError(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemoryError(new Error('Aborted(OOM)'))).toBe(true);
    expect(isOutOfMemoryError(new Error('ENOENT: no such file'))).toBe(false);
    expect(isOutOfMemoryError('memory access out of bounds')).toBe(false);
    // the one line already made of it is not made again
    expect(isOutOfMemoryError(new KoenbertError({ code: 'OUT_OF_MEMORY', message: 'distill: ran out of memory on wasm during training' }))).toBe(false);
  });
});
