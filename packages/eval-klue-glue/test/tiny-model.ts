import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BertModel } from '@koenbert/bert';
import { loadTokenizer } from '../src/lib/tokenize/load-tokenizer';

/**
 * A tiny randomly initialised BERT saved as a Hugging Face folder (config.json + model.safetensors) next to the
 * tokenizer files of `tokenizerDir` — a stand-in for a real checkpoint in end-to-end tests.
 */
export async function makeTinyBert(params: { tokenizerDir: string; hidden?: number; layers?: number; seed?: number }): Promise<string> {
  const { tokenizerDir, hidden = 32, layers = 2, seed = 0 } = params;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tiny-bert-'));
  for (const file of ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
    if (existsSync(path.join(tokenizerDir, file))) copyFileSync(path.join(tokenizerDir, file), path.join(dir, file));
  }
  const { tokenizer } = await loadTokenizer({ dir, maxLength: 512 });
  const model = BertModel.create({
    config: {
      vocab_size: tokenizer.getVocabSize(true),
      hidden_size: hidden,
      num_hidden_layers: layers,
      num_attention_heads: 2,
      intermediate_size: hidden * 2,
      hidden_act: 'gelu',
      hidden_dropout_prob: 0.1,
      attention_probs_dropout_prob: 0.1,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      initializer_range: 0.02,
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
      model_type: 'bert',
    },
    task: 'base',
    seed,
  });
  await model.savePretrained(dir);
  model.dispose();
  return dir;
}
