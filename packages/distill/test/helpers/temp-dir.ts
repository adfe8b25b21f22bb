import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function tempDir(prefix = 'koenbert-distill-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}
