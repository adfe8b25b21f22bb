// Shared jest settings: tests run the TypeScript sources directly (swc), and
// workspace packages resolve to their src/ so no build is needed before testing.
const path = require('node:path');

const packages = ['tensor-utils', 'bert', 'tokenizer-merge', 'embed-init', 'distill', 'eval-klue-glue', 'cli'];
// Entry points besides each package's main one (package.json `exports`), e.g. @koenbert/tensor-utils/testing.
const subpaths = { 'tensor-utils': ['testing'] };
const moduleNameMapper = Object.fromEntries([
  ...packages.map((name) => [`^@koenbert/${name}$`, path.join(__dirname, 'packages', name, 'src', 'index.ts')]),
  ...Object.entries(subpaths).flatMap(([name, entries]) =>
    entries.map((entry) => [`^@koenbert/${name}/${entry}$`, path.join(__dirname, 'packages', name, 'src', `${entry}.ts`)]),
  ),
]);

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper,
  setupFiles: [path.join(__dirname, 'tools', 'test-support', 'jest-env.cjs')],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 120000,
  reporters: ['default', path.join(__dirname, 'tools', 'jest-result-file-reporter.cjs')],
};
