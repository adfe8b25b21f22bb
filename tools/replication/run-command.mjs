// Child processes of the replication: koenbert CLI commands and the replication's own node scripts.
import { spawn } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve('packages/cli/dist/bin.cjs');

/**
 * Runs `node <script> args…` with one wasm thread (the replication runs several lanes side by side on the cores);
 * resolves on exit 0, rejects with the exit code otherwise. Output goes to the terminal with a lane prefix.
 */
export function runNode({ script, args, lane = '', env = {} }) {
  const line = `${lane ? `[${lane}] ` : ''}$ ${path.relative(process.cwd(), script)} ${args.join(' ')}`;
  process.stderr.write(`${line}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { KOENBERT_WASM_THREADS: '1', ...process.env, ...env },
    });
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${line} exited with ${code ?? signal}`));
    });
  });
}

export function koenbert({ args, lane, env }) {
  return runNode({ script: CLI, args: ['--progress-interval', '60', ...args], lane, env });
}
