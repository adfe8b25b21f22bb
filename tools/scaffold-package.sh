#!/usr/bin/env bash
# Creates the skeleton of a new @koenbert package: package.json, tsup, jest, tsconfig.
# Usage: tools/scaffold-package.sh <name> "<description>"
set -euo pipefail
name=$1; description=$2
dir=packages/$name
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "@koenbert/$name",
  "version": "0.1.0",
  "description": "$description",
  "license": "Apache-2.0",
  "type": "module",
  "main": "./dist/index.cjs",
  "module": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": {
      "types": "./dist/index.d.ts",
      "import": "./dist/index.js",
      "require": "./dist/index.cjs"
    },
    "./package.json": "./package.json"
  },
  "files": ["dist", "README.md"],
  "scripts": {
    "build": "tsup",
    "test": "jest",
    "lint": "tsc --noEmit -p tsconfig.json"
  },
  "dependencies": {}
}
JSON
cat > "$dir/tsup.config.ts" <<'TS'
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
TS
cat > "$dir/jest.config.cjs" <<'JS'
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname };
JS
cat > "$dir/tsconfig.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "baseUrl": "../.." },
  "include": ["src", "test"]
}
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
