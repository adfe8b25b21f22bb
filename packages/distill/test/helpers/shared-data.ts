import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (packages/distill/test/helpers → four levels up). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** ../shared/data beside the checkout: real text and tokenizers, never copied into the repository. */
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

/** describe() when ../shared/data holds `relativePath`; otherwise skipped with a message saying why. */
export function describeIfSharedData(relativePath: string, name: string, body: () => void): void {
  const target = sharedPath(relativePath);
  if (existsSync(target)) {
    describe(name, body);
    return;
  }
  describe.skip(`${name} (skipped: ${target} is absent)`, body);
  // eslint-disable-next-line no-console
  console.log(`skipping "${name}": ${target} is absent`);
}
