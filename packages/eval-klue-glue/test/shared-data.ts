import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (packages/eval-klue-glue/test → ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** ../shared/data beside the repository root: the real KLUE/GLUE files the tests read. */
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');

/** `describe` when ../shared/data holds every path in `needs`; otherwise a skipped block and a console line saying why. */
export function describeIfSharedData(needs: string | string[], name: string, body: () => void): void {
  const missing = (Array.isArray(needs) ? needs : [needs]).map((p) => path.join(SHARED_DATA, p)).filter((p) => !existsSync(p));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  describe.skip(name, () => {
    it('needs the shared data', () => undefined);
  });
  // eslint-disable-next-line no-console
  console.log(`skipping "${name}": ${missing.join(', ')} absent`);
}
