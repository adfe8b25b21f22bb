import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes a file so that readers see either the old content or the complete new one, never a torn file. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = tempSibling(target);
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, target);
}

/**
 * Builds a whole folder in a temp sibling and renames it into place, so a killed run
 * never leaves a half-written artifact folder behind. An existing target is replaced.
 */
export async function writeDirAtomic(target: string, fill: (tempDir: string) => Promise<void>): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const temp = tempSibling(path.resolve(target));
  await fs.mkdir(temp);
  try {
    await fill(temp);
    const old = `${temp}.old`;
    const hadTarget = await fs.rename(target, old).then(() => true, () => false);
    await fs.rename(temp, target);
    if (hadTarget) await fs.rm(old, { recursive: true, force: true });
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
}
