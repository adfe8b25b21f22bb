/** Where the CLI writes: process.stdout/stderr in the binary, string collectors in tests. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env?: Record<string, string | undefined>;
  /** Stops a running distill stage (it checkpoints first), like SIGINT. */
  signal?: AbortSignal;
}
