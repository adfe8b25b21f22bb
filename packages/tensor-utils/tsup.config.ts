import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // __filename in the ESM build (wasm-threads resolves files of @tensorflow/tfjs-backend-wasm from it).
  shims: true,
});
