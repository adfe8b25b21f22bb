import { distillConfigSchema, PretrainMlmConfigSchema } from '@koenbert/distill';
import { InitEmbeddingsConfigSchema } from '@koenbert/embed-init';
import { EvalConfigSchema } from '@koenbert/eval-klue-glue';
import { HubConfigSchema } from '@koenbert/tensor-utils';
import { MergeVocabsConfigSchema } from '@koenbert/tokenizer-merge';

// The Hub options are declared once, in tensor-utils: each stage's flags and their --help text are those fields.
describe('the Hub fields of every stage', () => {
  const hub = HubConfigSchema.shape;

  it('merge-vocab and init-embeddings spread HubConfigSchema (without timeoutSeconds)', () => {
    for (const schema of [MergeVocabsConfigSchema, InitEmbeddingsConfigSchema]) {
      for (const key of ['revision', 'offline', 'cacheDir', 'hubUrl'] as const) expect(schema.shape[key]).toBe(hub[key]);
      expect('timeoutSeconds' in schema.shape).toBe(false);
    }
  });

  it('distill and pretrain-mlm nest it as their hub section', () => {
    for (const schema of [distillConfigSchema('default'), PretrainMlmConfigSchema]) expect(schema.shape.hub.unwrap()).toBe(HubConfigSchema);
  });

  it('eval takes cacheDir and hubUrl; its revision help names the dataset, its offline defaults to false', () => {
    expect(EvalConfigSchema.shape.cacheDir).toBe(hub.cacheDir);
    expect(EvalConfigSchema.shape.hubUrl).toBe(hub.hubUrl);
    expect(EvalConfigSchema.shape.revision.description).toBe('Hub revision (model and dataset)');
    expect(EvalConfigSchema.parse({ model: 'm', task: 'glue-sst2' }).offline).toBe(false);
  });
});
