// ESLint flat config for every package (`npx nx run-many -t lint` runs tsc --noEmit and then `eslint src` in each).
// typescript-eslint's recommended rules; libraries stay silent (no-console in packages/*/src), except the CLI, whose
// job is printing. Files that are not TypeScript sources (dist, generated wasm glue) are not linted.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['packages/*/src/**/*.ts'],
    rules: {
      'no-console': 'error',
      // tools/ may import the packages, never the reverse (test helpers for other packages: @koenbert/tensor-utils/testing)
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+tools/', message: 'packages never import tools/ (tools import packages).' }] }],
      // `let [lo, hi] = …` where only one of the pair is reassigned stays one statement
      'prefer-const': ['error', { destructuring: 'all' }],
      // `_name` marks a value that is deliberately unused (destructuring it away, a callback's unused argument)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['packages/cli/src/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
