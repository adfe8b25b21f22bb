import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (tools/test-support → ../..). */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** ../shared/data beside the checkout: real public data for tests, never copied into the repository. */
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

/**
 * `describe` when ../shared/data holds every path in `needs`; otherwise a skipped block and a
 * console line naming what is absent, so a clone without the data stays green but says why.
 */
export function describeIfSharedData(needs: string | string[], name: string, body: () => void): void {
  const missing = (Array.isArray(needs) ? needs : [needs]).map((p) => sharedPath(p)).filter((p) => !existsSync(p));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  describe.skip(`${name} (needs ../shared/data)`, () => {
    it('needs the shared data', () => undefined);
  });
  // eslint-disable-next-line no-console
  console.log(`skipping "${name}": ${missing.join(', ')} absent`);
}
