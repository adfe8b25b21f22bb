import { defineConfig } from 'tsup';

export default defineConfig({
  // testing: helpers for other packages' tests (@koenbert/tensor-utils/testing), not part of the main entry point.
  entry: ['src/index.ts', 'src/testing.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // __filename in the ESM build (wasm-threads resolves files of @tensorflow/tfjs-backend-wasm from it).
  shims: true,
});
