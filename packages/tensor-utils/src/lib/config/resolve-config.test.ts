import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { KoenbertError } from '../errors';
import { describeSchema } from './describe-schema';
import { resolveConfig } from './resolve-config';

const schema = z.object({
  seed: z.number().int().default(42).describe('random seed'),
  backend: z.enum(['tensorflow', 'wasm', 'cpu']).default('wasm').describe('tfjs backend'),
  output: z.string().describe('output folder'),
  distill: z.object({
    lr: z.number().positive().default(1e-4).describe('peak learning rate'),
    warmup_steps: z.number().int().nonnegative().default(100),
    languages: z.array(z.enum(['ko', 'en'])).default(['ko', 'en']).describe('corpora to mix'),
  }),
  teacher: z.string().nullable().default(null),
  tags: z.record(z.string(), z.string()).optional().describe('free-form labels'),
  hub: z.looseObject({ revision: z.string().default('main') }).prefault({}),
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
}

/** The error's one-line message with the temp folder removed. */
async function errorOf(promise: Promise<unknown>): Promise<{ message: string; code: string; file?: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KoenbertError);
    const e = error as KoenbertError;
    expect(e.message).not.toContain('\n');
    return { message: e.message.split(dir + path.sep).join(''), code: e.code, file: e.file && path.basename(e.file) };
  }
  throw new Error('expected the promise to reject');
}

describe('resolveConfig: precedence', () => {
  it('fills every default (nested sections too) when only the required option is given', async () => {
    expect(await resolveConfig({ schema, overrides: { output: 'out' } })).toEqual({
      seed: 42, backend: 'wasm', output: 'out', distill: { lr: 1e-4, warmup_steps: 100, languages: ['ko', 'en'] }, teacher: null, hub: { revision: 'main' },
    });
  });

  it('defaults < YAML file < overrides; dotted override keys; undefined overrides ignored; lists replaced, not merged', async () => {
    const yaml = file('config.yaml', ['output: runs/a', 'seed: 7', 'distill:', '  lr: 5.0e-4', '  languages: [en]', 'tags: { who: me }', 'hub: { mirror: x }'].join('\n'));
    const config = await resolveConfig({ schema, file: yaml, overrides: { 'distill.lr': 1e-3, seed: undefined, backend: 'cpu', distill: { warmup_steps: 5 } } });
    expect(config).toEqual({
      seed: 7, backend: 'cpu', output: 'runs/a', distill: { lr: 1e-3, warmup_steps: 5, languages: ['en'] }, teacher: null, tags: { who: 'me' },
      hub: { revision: 'main', mirror: 'x' }, // looseObject keeps keys it does not know
    });
  });

  it('reads JSON the same way, and an empty YAML file is an empty config', async () => {
    const json = file('config.json', JSON.stringify({ output: 'o', distill: { warmup_steps: 0 } }));
    expect((await resolveConfig({ schema, file: json })).distill).toEqual({ lr: 1e-4, warmup_steps: 0, languages: ['ko', 'en'] });
    const empty = file('empty.yml', '# nothing\n');
    expect((await resolveConfig({ schema, file: empty, overrides: { output: 'x' } })).seed).toBe(42);
  });
});

describe('resolveConfig: one-line errors naming the source and the field', () => {
  it.each([
    ['a wrong type in the file', 'distill:\n  lr: fast\noutput: o\n', {}, 'config.yaml: distill.lr: expected number, got string "fast"'],
    ['a value out of range', 'distill:\n  lr: 0\noutput: o\n', {}, 'config.yaml: distill.lr: too small: expected number to be >0'],
    ['an enum value not allowed', 'backend: gpu\noutput: o\n', {}, 'config.yaml: backend: expected one of "tensorflow", "wasm", "cpu", got string "gpu"'],
    ['a bad list element', 'distill: { languages: [ko, fr] }\noutput: o\n', {}, 'config.yaml: distill.languages[1]: expected one of "ko", "en", got string "fr"'],
    ['a typo in a key', 'distill:\n  lrr: 1\noutput: o\n', {}, 'config.yaml: distill.lrr: unknown key (did you mean lr?)'],
    ['an unknown key with nothing close', 'colour: red\noutput: o\n', {}, 'config.yaml: colour: unknown key (known: seed, backend, output, distill, teacher, tags, hub)'],
    ['a required option left out', 'seed: 1\n', {}, 'config.yaml: output: required (expected string)'],
    ['a bad override', 'output: o\n', { 'distill.warmup_steps': 1.5 }, 'command line: distill.warmup_steps: expected int, got number 1.5'],
    ['an unknown override', 'output: o\n', { 'distill.warmupSteps': 3 }, 'command line: distill.warmupSteps: unknown key (did you mean warmup_steps?)'],
  ])('%s', async (_what, yaml, overrides, expected) => {
    const error = await errorOf(resolveConfig({ schema, file: file('config.yaml', yaml), overrides }));
    expect(error.message).toBe(expected);
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('counts further problems, and names the overrides when there is no file', async () => {
    const error = await errorOf(resolveConfig({ schema, overrides: { seed: 'x' } }));
    expect(error.message).toBe('command line: seed: expected number, got string "x" (and 1 more)');
    expect(error.file).toBeUndefined();
    expect((await errorOf(resolveConfig({ schema, overrides: { output: 'o', seed: 'x' }, overridesLabel: 'flags' }))).message).toBe('flags: seed: expected number, got string "x"');
  });

  it('reports unreadable files: missing, bad syntax, not a mapping, unsupported type', async () => {
    expect(await errorOf(resolveConfig({ schema, file: path.join(dir, 'missing.yaml') }))).toEqual({ message: 'missing.yaml: config file not found', code: 'FILE_NOT_FOUND', file: 'missing.yaml' });
    expect((await errorOf(resolveConfig({ schema, file: file('bad.yaml', 'distill:\n  lr: [1, 2\n') }))).message).toMatch(/^bad\.yaml: not valid YAML: .+/);
    expect((await errorOf(resolveConfig({ schema, file: file('bad.json', '{"output": }') }))).message).toMatch(/^bad\.json: not valid JSON: .+/);
    expect((await errorOf(resolveConfig({ schema, file: file('list.yaml', '- a\n- b\n') }))).message).toBe('list.yaml: the top level must be a mapping of options, got a list');
    expect((await errorOf(resolveConfig({ schema, file: file('c.toml', 'a = 1') }))).message).toBe('c.toml: unsupported config file type ".toml": use .json, .yaml or .yml');
  });
});

describe('describeSchema', () => {
  it('lists every option with dotted keys, readable types, defaults and descriptions, in order', () => {
    expect(describeSchema(schema)).toEqual([
      { key: 'seed', type: 'integer', default: 42, required: false, description: 'random seed' },
      { key: 'backend', type: 'tensorflow | wasm | cpu', default: 'wasm', required: false, description: 'tfjs backend' },
      { key: 'output', type: 'string', default: undefined, required: true, description: 'output folder' },
      { key: 'distill.lr', type: 'number', default: 1e-4, required: false, description: 'peak learning rate' },
      { key: 'distill.warmup_steps', type: 'integer', default: 100, required: false, description: '' },
      { key: 'distill.languages', type: '(ko | en)[]', default: ['ko', 'en'], required: false, description: 'corpora to mix' },
      { key: 'teacher', type: 'string | null', default: null, required: false, description: '' },
      { key: 'tags', type: 'Record<string, string>', default: undefined, required: false, description: 'free-form labels' },
      { key: 'hub.revision', type: 'string', default: 'main', required: false, description: '' },
    ]);
  });

  it('finds a description given before or after .default()', () => {
    const rows = describeSchema(z.object({ a: z.string().describe('inner').default('x'), b: z.string().default('y').describe('outer') }));
    expect(rows.map((r) => r.description)).toEqual(['inner', 'outer']);
  });
});
