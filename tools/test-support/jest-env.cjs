// Runs before every test file. The threaded wasm binary's pthread workers live until the process exits and jest runs
// many test files per process, so tests use one XNNPACK thread unless they ask (packages/tensor-utils/test/wasm-threads.test.ts).
process.env.KOENBERT_WASM_THREADS ??= '1';
