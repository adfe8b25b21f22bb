import { z } from 'zod';
import { KoenbertError } from '../errors';
import { parseWithSchema } from './parse-with-schema';

const schema = z.strictObject({
  output: z.string().min(1),
  optim: z.strictObject({ lr: z.number().positive().default(1e-4) }).prefault({}),
});

function errorOf(run: () => unknown): KoenbertError {
  try {
    run();
  } catch (error) {
    return error as KoenbertError;
  }
  throw new Error('expected an error');
}

describe('parseWithSchema', () => {
  it('returns the parsed object with defaults filled in', () => {
    expect(parseWithSchema(schema, { output: 'runs/x' })).toEqual({ output: 'runs/x', optim: { lr: 1e-4 } });
  });

  it('names the dotted field and the file in a one-line CONFIG_INVALID error', () => {
    const error = errorOf(() => parseWithSchema(schema, { output: 'x', optim: { lr: -1 } }, 'run.yaml'));
    expect(error).toBeInstanceOf(KoenbertError);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^run\.yaml: optim\.lr: /);
    expect(error.message).not.toContain('\n');
  });

  it('names unknown top-level keys', () => {
    const error = errorOf(() => parseWithSchema(schema, { output: 'x', ouput: 'y', extra: 1 }));
    expect(error.message).toMatch(/^ouput, extra: /);
  });
});
