import { existsSync } from 'node:fs';
import path from 'node:path';
import { main, type CliIo } from '../src/index';

/** The repository root (packages/cli/test → ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** ../shared/data beside the repository root. */
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `koenbert <argv>` in-process with string collectors for stdout/stderr (not a terminal). */
export async function runCli(argv: string[], extra: Partial<CliIo> & { onStderr?: (text: string) => void } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: {
      write: (text: string) => {
        stderr += text;
        extra.onStderr?.(text);
        return true;
      },
    },
    env: extra.env ?? { KOENBERT_BACKEND: 'wasm' },
    signal: extra.signal,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** `describe` when ../shared/data holds every path in `needs`; otherwise a skipped block and a console line saying why. */
export function describeIfSharedData(needs: string[], name: string, body: () => void): void {
  const missing = needs.map((p) => path.join(SHARED_DATA, p)).filter((p) => !existsSync(p));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  describe.skip(name, () => {
    it('needs the shared data', () => undefined);
  });
  // eslint-disable-next-line no-console
  console.log(`skipping "${name}": ${missing.join(', ')} absent (the shared data lives at ${SHARED_DATA})`);
}
