// Which exact model a result was measured on: a cell is reused only while its model's weights and tokenizer files
// are unchanged (eval reads tokenizer-ko.json / tokenizer-en.json / tokenizer.json, so they are part of the model).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const cache = new Map();
const MODEL_FILES = /^(model\.safetensors|config\.json|tokenizer.*\.json|vocab\.txt)$/;

/** sha256 over the folder's weights, config and tokenizer files (first 16 hex digits), or undefined without weights. */
export async function modelFingerprint(dir) {
  if (!existsSync(path.join(dir, 'model.safetensors'))) return undefined;
  if (cache.has(dir)) return cache.get(dir);
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).filter((f) => MODEL_FILES.test(f)).sort()) {
    hash.update(`${file}\n`);
    for await (const chunk of createReadStream(path.join(dir, file))) hash.update(chunk);
  }
  const digest = hash.digest('hex').slice(0, 16);
  cache.set(dir, digest);
  return digest;
}
