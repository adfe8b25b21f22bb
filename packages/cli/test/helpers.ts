import { main, type CliIo } from '../src/index';

export { REPO_ROOT, SHARED_DATA, describeIfSharedData } from '../../../tools/test-support/shared-data';

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

