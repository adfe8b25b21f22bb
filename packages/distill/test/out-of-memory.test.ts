import path from 'node:path';
import { BertModel } from '@koenbert/bert';
import { initBackend, isKoenbertError, NATIVE_WAY_OUT } from '@koenbert/tensor-utils';
import { distillIter, pretrainMlmIter } from '../src';
import { makeTinySetup, type TinySetup } from './helpers/tiny-setup';
import { removeDir, tempDir } from './helpers/temp-dir';

// A library caller (no CLI around it) whose wasm heap runs out inside a step gets the one line with the numbers and
// the ways out, in config keys, not tfjs-backend-wasm's "memory access out of bounds".

let tiny: TinySetup;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  tiny = await makeTinySetup(await tempDir());
});
afterAll(() => removeDir(tiny.root));
afterEach(() => jest.restoreAllMocks());

/** Every forward/backward pass fails as an exhausted wasm heap does. */
function exhaustHeap(): void {
  jest.spyOn(BertModel.prototype, 'valueAndGrads').mockImplementation(() => {
    // @ts-expect-error -- Node has the WebAssembly global, @types/node 20 does not declare it (see tensor-utils' web-assembly-api.ts)
    throw new WebAssembly.RuntimeError('memory access out of bounds');
  });
}

async function failure(events: AsyncGenerator<unknown>): Promise<Error & { code?: string; cause?: unknown }> {
  try {
    for await (const event of events) void event;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the run did not fail');
}

describe('an exhausted wasm heap inside a training step', () => {
  it('distillIter: OUT_OF_MEMORY with the estimate and the ways out in config keys', async () => {
    exhaustHeap();
    const error = await failure(
      distillIter(
        {
          student: tiny.student,
          output: path.join(tiny.root, 'distill-oom'),
          teachers: { en: { model: tiny.teacherEn }, ko: { model: tiny.teacherKo } },
          steps: 2,
          data: { en: [tiny.enText], ko: [tiny.koText], maxLength: 32 },
          loss: { relationHeads: 4 },
          optim: { batchSize: 4 },
        },
        { handleProcessSignals: false },
      ),
    );
    expect(isKoenbertError(error) && error.code).toBe('OUT_OF_MEMORY');
    expect(error.message).toMatch(
      /^distill: ran out of memory on wasm during training \(memory access out of bounds; the estimate was \d+\.\d GiB of the wasm heap's 4 GiB\)\. Ways out: optim\.batchSize 2 optim\.gradAccumulation 2 \(the same 4 sequences per step\), about \d+ [KM]iB; or /,
    );
    expect(error.message.endsWith(NATIVE_WAY_OUT)).toBe(true);
    expect((error.cause as Error).message).toBe('memory access out of bounds');
  });

  it('pretrainMlmIter: the same line for its step', async () => {
    exhaustHeap();
    const error = await failure(
      pretrainMlmIter(
        {
          tokenizer: tiny.mergedDir,
          output: path.join(tiny.root, 'pretrain-oom'),
          steps: 2,
          model: { hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32 },
          data: { files: [tiny.enText], maxLength: 32 },
          optim: { batchSize: 4 },
        },
        { handleProcessSignals: false },
      ),
    );
    expect(isKoenbertError(error) && error.code).toBe('OUT_OF_MEMORY');
    expect(error.message).toMatch(
      /^pretrain-mlm: ran out of memory on wasm during training \(memory access out of bounds; the estimate was \d+\.\d GiB of the wasm heap's 4 GiB\)\. Ways out: optim\.batchSize 3 \(a smaller batch: a different recipe\), about \d+ [KM]iB; or /,
    );
  });

  it('other errors pass through unchanged', async () => {
    jest.spyOn(BertModel.prototype, 'valueAndGrads').mockImplementation(() => {
      throw new Error('a bug');
    });
    const error = await failure(
      pretrainMlmIter(
        { tokenizer: tiny.mergedDir, output: path.join(tiny.root, 'pretrain-bug'), steps: 1, model: { hiddenSize: 16, numLayers: 1, numHeads: 2 }, data: { files: [tiny.enText], maxLength: 32 } },
        { handleProcessSignals: false },
      ),
    );
    expect(error.message).toBe('a bug');
  });
});
