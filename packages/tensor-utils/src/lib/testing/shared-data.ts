import { existsSync } from 'node:fs';
import path from 'node:path';

/** ../shared/data next to the repository root (the real data the tests may use). */
export const SHARED_DATA = path.resolve(__dirname, '../../../../..', '../shared/data');

/**
 * `describe` when ../shared/data holds `relativePath`, otherwise a skipped block with a console
 * message saying why (the tests stay green on a clone without the shared data).
 */
export function describeIfSharedData(relativePath: string, name: string, body: () => void): void {
  const target = path.join(SHARED_DATA, relativePath);
  if (existsSync(target)) {
    describe(name, body);
    return;
  }
  describe.skip(name, () => {
    it('needs the shared data', () => undefined);
  });
  // eslint-disable-next-line no-console
  console.log(`skipping "${name}": ${target} is absent`);
}
