import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BertModel } from '@koenbert/bert';
import { writeFileAtomic, type HubOptions } from '@koenbert/tensor-utils';
import * as tf from '@tensorflow/tfjs';

/** Tokenizer files copied from the student folder when present (merge-map.json says how the vocab was merged). */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer-ko.json', 'tokenizer-en.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'merge-map.json'];

/**
 * Writes the distilled student as a transformers BertForMaskedLM folder into `output`: the trained encoder
 * (`bert.embeddings.*`, `bert.encoder.*`) on top of the student's original MLM head (`cls.predictions.*`, which
 * distillation does not train), config.json, and the merged tokenizer files. Each file is written atomically and
 * other files in `output` (checkpoints, log) are left alone. Returns the file names written.
 */
export async function saveDistilledModel(params: {
  trained: BertModel;
  studentSource: string;
  tokenizerDir: string;
  output: string;
  hub?: HubOptions;
}): Promise<string[]> {
  const model = await BertModel.fromPretrained(params.studentSource, { task: 'masked-lm', ...params.hub });
  try {
    for (const [name, variable] of params.trained.params) {
      if (name.startsWith('pooler.')) continue; // BertForMaskedLM has no pooler
      const target = model.params.get(`bert.${name}`);
      if (!target) continue;
      tf.tidy(() => target.assign(variable));
    }
    const temp = path.join(params.output, `.model-${process.pid}`);
    await fs.mkdir(temp, { recursive: true });
    try {
      await model.savePretrained(temp);
      const written = await fs.readdir(temp);
      for (const file of written) await fs.rename(path.join(temp, file), path.join(params.output, file));
      for (const file of TOKENIZER_FILES) {
        const source = path.join(params.tokenizerDir, file);
        const data = await fs.readFile(source).catch(() => undefined);
        if (data) {
          await writeFileAtomic(path.join(params.output, file), data);
          written.push(file);
        }
      }
      return written;
    } finally {
      await fs.rm(temp, { recursive: true, force: true });
    }
  } finally {
    model.dispose();
  }
}
