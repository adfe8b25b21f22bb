import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

// A program that started the wasm backend with threads (XNNPACK's pthreads and the GEMM workers, all blocked waiting
// for work) must still end when its work is done. Checked in a child process, since jest keeps its own alive.

const packageRoot = path.resolve(__dirname, '..');

const PROGRAM = `
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './src/index';
import { kernelThreads } from './src/lib/wasm-kernels/koenbert-wasm/koenbert-wasm-runtime';
import { asWasmBackend } from './src/lib/wasm-kernels/wasm-internals';

(async () => {
  await initBackend({ backend: 'wasm', wasmThreads: 2, env: {} });
  const product = tf.matMul(tf.ones([512, 512]), tf.ones([512, 512]));
  console.log(JSON.stringify({ threads: kernelThreads(asWasmBackend(tf.backend())), corner: product.dataSync()[0] }));
})();
`;

describe('a program using the threaded wasm backend', () => {
  it('exits by itself when its work is done, with the GEMM on 2 threads', () => {
    // Bundled next to the package so that @tensorflow/* resolve from its node_modules.
    const dir = fs.mkdtempSync(path.join(packageRoot, '.exit-test-'));
    try {
      fs.writeFileSync(path.join(dir, 'entry.ts'), PROGRAM.replace(/'\.\/src\//g, `'${packageRoot}/src/`));
      const bundle = path.join(dir, 'program.cjs');
      buildSync({ entryPoints: [path.join(dir, 'entry.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, external: ['@tensorflow/*'], logLevel: 'error' });
      const child = spawnSync(process.execPath, [bundle], { cwd: packageRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, KOENBERT_WASM_THREADS: '2' } });
      expect(child.error).toBeUndefined(); // a timeout would show here
      expect(child.status).toBe(0);
      expect(JSON.parse(child.stdout.trim().split('\n').pop()!)).toEqual({ threads: 2, corner: 512 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
