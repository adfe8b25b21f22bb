// Which exact weights a result was measured on: a cell is reused only while its model's weights are unchanged.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';

const cache = new Map();

/** sha256 of the folder's model.safetensors (first 16 hex digits), or undefined while the model does not exist. */
export async function modelFingerprint(dir) {
  const file = path.join(dir, 'model.safetensors');
  if (!existsSync(file)) return undefined;
  if (cache.has(file)) return cache.get(file);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  const digest = hash.digest('hex').slice(0, 16);
  cache.set(file, digest);
  return digest;
}
