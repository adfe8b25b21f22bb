import { Command } from 'commander';
import type { z } from 'zod';
import { distillConfigSchema, PretrainMlmConfigSchema, resolveDistillConfig, resolvePretrainMlmConfig } from '@koenbert/distill';
import { InitEmbeddingsConfigSchema } from '@koenbert/embed-init';
import { EvalConfigSchema } from '@koenbert/eval-klue-glue';
import { resolveConfig } from '@koenbert/tensor-utils';
import { MergeVocabsConfigSchema } from '@koenbert/tokenizer-merge';
import { addSchemaOptions, collectOverrides } from '../src/index';

/** Parses `argv` with the flags generated from `schema`, as the commands do, and returns the dotted overrides. */
function overridesFor(schema: z.ZodType, argv: string[]): Record<string, unknown> {
  const command = new Command('test').exitOverride();
  const options = addSchemaOptions({ command, schema });
  command.parse(argv, { from: 'user' });
  return collectOverrides({ options, values: command.opts() });
}

describe('flags map one to one onto the stage schemas', () => {
  it('distill: dotted flags are parsed to the schema types and reach the config', async () => {
    const overrides = overridesFor(distillConfigSchema('default'), [
      '--student', 's', '--output', 'o', '--optim.lr', '1e-4', '--steps', '20', '--data.ko', 'a.txt,b.txt', '--data.en', 'c.txt',
      '--data.packing', 'false', '--resume', '--teachers.ko.layer', '3', '--preset', 'seed',
    ]);
    expect(overrides['optim.lr']).toBe(1e-4);
    const config = await resolveDistillConfig({ overrides });
    expect(config.optim.lr).toBe(1e-4);
    expect(config.steps).toBe(20);
    expect(config.data.ko).toEqual(['a.txt', 'b.txt']);
    expect(config.data.en).toEqual(['c.txt']);
    expect(config.data.packing).toBe(false);
    expect(config.resume).toBe(true);
    expect(config.teachers.ko.layer).toBe(3);
    expect(config.preset).toBe('seed');
  });

  it('pretrain-mlm: model size, masking and data flags reach the config', async () => {
    const overrides = overridesFor(PretrainMlmConfigSchema, [
      '--tokenizer', 't', '--output', 'o', '--data.files', 'a.txt,b.txt', '--model.hiddenSize', '64', '--masking.probability', '0.2', '--optim.lr', '3e-4',
    ]);
    const config = await resolvePretrainMlmConfig({ overrides });
    expect(config.model.hiddenSize).toBe(64);
    expect(config.masking.probability).toBe(0.2);
    expect(config.optim.lr).toBe(3e-4);
    expect(config.data.files).toEqual(['a.txt', 'b.txt']);
  });

  it('merge-vocab: strings, integers, booleans and lists', async () => {
    const overrides = overridesFor(MergeVocabsConfigSchema, ['--korean', 'k', '--english', 'e', '--output', 'o', '--maxSentencesPerSource', '7', '--verifyRoundTrip', 'false', '--koreanText', 'x.txt', 'y.tsv#2']);
    const config = await resolveConfig({ schema: MergeVocabsConfigSchema, overrides });
    expect(config).toMatchObject({ korean: 'k', english: 'e', output: 'o', maxSentencesPerSource: 7, verifyRoundTrip: false, koreanText: ['x.txt', 'y.tsv#2'] });
  });

  it('init-embeddings: nested sections and number lists', async () => {
    const overrides = overridesFor(InitEmbeddingsConfigSchema, ['--korean', 'k', '--english', 'e', '--tokenizer', 't', '--output', 'o', '--method', 'procrustes', '--ridge.alphas', '0.1', '1', '--mlp.hidden', '64', '--heldOut', '0.3']);
    const config = await resolveConfig({ schema: InitEmbeddingsConfigSchema, overrides });
    expect(config.method).toBe('procrustes');
    expect(config.ridge.alphas).toEqual([0.1, 1]);
    expect(config.mlp.hidden).toBe(64);
    expect(config.heldOut).toBe(0.3);
  });

  it('eval: --task, --cv, --limit and --lr', async () => {
    const overrides = overridesFor(EvalConfigSchema, ['--model', 'm', '--task', 'klue-sts', '--cv', '3', '--limit', '50', '--lr', '2e-5', '--tokenTypeIds', 'false']);
    const config = await resolveConfig({ schema: EvalConfigSchema, overrides });
    expect(config).toMatchObject({ model: 'm', task: 'klue-sts', cv: 3, limit: 50, lr: 2e-5, tokenTypeIds: false });
  });

  it('a value that does not parse is left for the schema to reject, naming the flag', async () => {
    const overrides = overridesFor(distillConfigSchema('default'), ['--student', 's', '--output', 'o', '--optim.lr', 'fast']);
    await expect(resolveDistillConfig({ overrides })).rejects.toThrow(/optim\.lr.*expected number/);
  });
});
