import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KoenbertError } from '@koenbert/tensor-utils';
import { parseBertConfig, readBertConfig, writeBertConfig } from '@koenbert/bert';

const SMALL = { vocab_size: 100, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 32 };

describe('parseBertConfig', () => {
  it("fills transformers' defaults and keeps unknown keys", () => {
    const config = parseBertConfig({ ...SMALL, architectures: ['BertForMaskedLM'], id2label: { 0: 'neg' }, custom: [1, 2] });
    expect(config).toMatchObject({
      hidden_act: 'gelu',
      hidden_dropout_prob: 0.1,
      attention_probs_dropout_prob: 0.1,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      initializer_range: 0.02,
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
      architectures: ['BertForMaskedLM'],
      id2label: { 0: 'neg' },
      custom: [1, 2],
    });
  });

  it.each([
    [{ hidden_size: 30 }, 'field hidden_size: 30 is not divisible by num_attention_heads (4)'],
    [{ hidden_act: 'swish' }, 'field hidden_act:'],
    [{ vocab_size: 0 }, 'field vocab_size:'],
    [{ num_hidden_layers: 1.5 }, 'field num_hidden_layers:'],
    [{ hidden_dropout_prob: -0.1 }, 'field hidden_dropout_prob:'],
    [{ attention_probs_dropout_prob: 1 }, 'field attention_probs_dropout_prob:'],
    [{ layer_norm_eps: 0 }, 'field layer_norm_eps:'],
    [{ pad_token_id: 100 }, 'field pad_token_id: 100 is not below vocab_size (100)'],
    [{ model_type: 'roberta' }, 'field model_type:'],
    [{ position_embedding_type: 'relative_key' }, 'field position_embedding_type:'],
    [{ is_decoder: true }, 'field is_decoder:'],
    [{ hidden_size: '768' }, 'field hidden_size:'],
  ])('%j → one-line error naming the file and the field', (change, message) => {
    let error: unknown;
    try {
      parseBertConfig({ ...SMALL, ...change }, '/models/x/config.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KoenbertError);
    expect((error as KoenbertError).code).toBe('CONFIG_INVALID');
    expect((error as KoenbertError).file).toBe('/models/x/config.json');
    expect((error as Error).message).toContain(`/models/x/config.json: ${message}`);
    expect((error as Error).message).not.toContain('\n');
  });

  it('rejects a non-object', () => {
    expect(() => parseBertConfig([1], 'c.json')).toThrow('c.json: a BERT config must be a JSON object');
  });
});

describe('readBertConfig / writeBertConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-config-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true });
  });

  it('round-trips every key (sorted, model_type bert) and leaves no temp files', async () => {
    const config = parseBertConfig({ ...SMALL, problem_type: 'regression', label2id: { a: 0 }, transformers_version: '4.30.2' });
    await writeBertConfig(dir, config);
    expect(await fs.readdir(dir)).toEqual(['config.json']);
    const text = await fs.readFile(path.join(dir, 'config.json'), 'utf8');
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual([...keys].sort());
    expect(await readBertConfig(dir)).toEqual({ ...config, model_type: 'bert' });
  });

  it('names the file when it is missing or not JSON', async () => {
    await expect(readBertConfig(dir)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', file: path.join(dir, 'config.json') });
    await fs.writeFile(path.join(dir, 'config.json'), '{"vocab_size": 3,');
    await expect(readBertConfig(dir)).rejects.toThrow(`${path.join(dir, 'config.json')}: not valid JSON`);
  });
});
