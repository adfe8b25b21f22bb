#!/usr/bin/env node
// Compiles packages/tensor-utils/csrc/*.c (koenbert's wasm kernels: GEMM, exp, erf, GELU, layer norm, softmax cross-entropy, sum, AdamW) into the four WebAssembly modules
// the wasm kernels pick from and writes them, base64-encoded, into
// packages/tensor-utils/src/lib/wasm-kernels/koenbert-wasm/koenbert-wasm.generated.ts (so that the package needs no
// asset copying and no toolchain at install time).
//
//   node tools/build-wasm-kernels.mjs          rebuild the generated file
//   node tools/build-wasm-kernels.mjs --check  exit 1 if the committed file is not what this source builds to
//
// Toolchain: @yowasp/clang (clang + wasm-ld compiled to WebAssembly, pinned in tools/package.json), so the build is
// the same on every machine and needs nothing outside npm. The output is deterministic.
//
// Variants: memory `shared` (tfjs's threaded binary shares its memory with its workers; an import must say so) or
// not, and `relaxed` (f32x4.relaxed_madd, FMA on x86) or plain SIMD128 mul + add for engines without relaxed SIMD.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { commands, runClang } from '@yowasp/clang';

// Node 20 validates relaxed SIMD only behind this flag (on by default from Node 22).
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = path.join(root, 'packages/tensor-utils/csrc');
const outPath = path.join(root, 'packages/tensor-utils/src/lib/wasm-kernels/koenbert-wasm/koenbert-wasm.generated.ts');
const clangVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@yowasp/clang/package.json'), 'utf8')).version;
const EXPORTS = ['gemm_block', 'gemm_scratch_floats', 'exp_f32', 'sum_reduce', 'adamw_update', 'erf_f32', 'gelu_f32', 'gelu_grad_f32', 'layer_norm_f32', 'layer_norm_grad_f32', 'xent_row_stats', 'xent_grad'];

const VARIANTS = {
  unsharedRelaxed: { shared: false, relaxed: true },
  unsharedSimd128: { shared: false, relaxed: false },
  sharedRelaxed: { shared: true, relaxed: true },
  sharedSimd128: { shared: true, relaxed: false },
};

function clangArgs({ shared, relaxed }, sources) {
  return [
    'clang',
    '--target=wasm32',
    '-O3',
    '-ffp-contract=off',
    '-msimd128',
    ...(relaxed ? ['-mrelaxed-simd', '-DKOENBERT_RELAXED_SIMD'] : []),
    ...(shared ? ['-matomics', '-mbulk-memory', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296'] : []),
    '-nostdlib',
    '-Wl,--no-entry',
    '-Wl,--import-memory',
    '-Wl,--strip-debug',
    '-o',
    'out.wasm',
    ...sources,
  ];
}

/** Throws unless the module is safe to run on tfjs's heap (see the rules at the top of gemm.c). */
async function checkModule(name, bytes) {
  const module = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(module);
  if (imports.length !== 1 || imports[0].module !== 'env' || imports[0].name !== 'memory' || imports[0].kind !== 'memory') {
    throw new Error(`${name}: expected exactly one import, env.memory; got ${JSON.stringify(imports)}`);
  }
  const exported = WebAssembly.Module.exports(module).map((entry) => entry.name);
  for (const name_ of EXPORTS) if (!exported.includes(name_)) throw new Error(`${name}: export ${name_} missing`);
  const sections = sectionIds(bytes);
  if (sections.includes(11)) throw new Error(`${name}: has a data section; it would be written over tfjs's heap`);
  if (sections.includes(8)) throw new Error(`${name}: has a start function`);
  let listing = '';
  const decoder = new TextDecoder();
  await commands.objdump(['-d', 'm.wasm'], { 'm.wasm': bytes }, { stdout: (chunk) => (listing += chunk ? decoder.decode(chunk) : '') });
  if (/global\.(get|set)/.test(listing)) throw new Error(`${name}: uses a global (the C stack pointer?); the C code must not need a stack`);
}

function sectionIds(bytes) {
  const ids = [];
  let offset = 8;
  while (offset < bytes.length) {
    ids.push(bytes[offset]);
    offset += 1;
    let size = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[offset++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
    offset += size;
  }
  return ids;
}

/** csrc's files by name, in name order. */
function readSources() {
  const names = fs.readdirSync(sourceDir).filter((name) => /\.[ch]$/.test(name)).sort();
  return Object.fromEntries(names.map((name) => [name, fs.readFileSync(path.join(sourceDir, name), 'utf8')]));
}

/** sha256 over csrc's files (name, NUL, content, NUL each, in name order); the test in tensor-utils computes the same. */
function sourcesSha256(sources) {
  const hash = createHash('sha256');
  for (const [name, content] of Object.entries(sources)) hash.update(`${name}\0${content}\0`);
  return hash.digest('hex');
}

async function build() {
  const sources = readSources();
  const sourceSha256 = sourcesSha256(sources);
  const cFiles = Object.keys(sources).filter((name) => name.endsWith('.c'));
  const encoded = {};
  for (const [name, variant] of Object.entries(VARIANTS)) {
    const files = await runClang(clangArgs(variant, cFiles), sources, { stderr: (chunk) => chunk && process.stderr.write(chunk) });
    const bytes = files['out.wasm'];
    await checkModule(name, bytes);
    encoded[name] = Buffer.from(bytes).toString('base64');
  }
  const lines = [
    `// Generated by tools/build-wasm-kernels.mjs from packages/tensor-utils/csrc (${Object.keys(sources).join(', ')}) with @yowasp/clang ${clangVersion}.`,
    '// Do not edit: change csrc and run `node tools/build-wasm-kernels.mjs`.',
    '',
    '/** sha256 of the csrc files these modules were built from (a test checks it against the sources). */',
    `export const KOENBERT_WASM_SOURCES_SHA256 = '${sourceSha256}';`,
    '',
    '/** The compiled modules, base64: shared or unshared imported memory, relaxed SIMD or plain SIMD128. */',
    'export const KOENBERT_WASM_BASE64 = {',
    ...Object.entries(encoded).map(([name, base64]) => `  ${name}:\n    '${base64}',`),
    '} as const;',
    '',
  ];
  return lines.join('\n');
}

const generated = await build();
if (process.argv.includes('--check')) {
  const committed = fs.existsSync(outPath) ? fs.readFileSync(outPath, 'utf8') : '';
  if (committed !== generated) {
    console.error(`${path.relative(root, outPath)} is not what packages/tensor-utils/csrc builds to: run node tools/build-wasm-kernels.mjs`);
    process.exit(1);
  }
  console.log(`${path.relative(root, outPath)} matches packages/tensor-utils/csrc`);
} else {
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  const temporary = `${outPath}.tmp`;
  fs.writeFileSync(temporary, generated);
  fs.renameSync(temporary, outPath);
  console.log(`wrote ${path.relative(root, outPath)} (${Object.keys(VARIANTS).join(', ')})`);
}
