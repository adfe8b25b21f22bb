// Prints the options table of packages/distill/README.md from the config schema (so the two always match).
// Rerun from the repository root:
//   npx esbuild tools/examples/distill-options-table.mjs --bundle --platform=node --format=esm --tsconfig=tsconfig.base.json \
//     --packages=external --outfile=tools/examples/tmp/distill-options-table.mjs && node tools/examples/tmp/distill-options-table.mjs
import { describeSchema } from '@koenbert/tensor-utils';
import { distillConfigSchema } from '@koenbert/distill';
const rows = describeSchema(distillConfigSchema('default'));
const seed = new Map(describeSchema(distillConfigSchema('seed')).map((r) => [r.key, r.default]));
const fmt = (v) => (v === undefined ? '' : `\`${JSON.stringify(v)}\``);
console.log('| option | type | default | `--preset seed` | description |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const s = seed.get(r.key);
  const differs = JSON.stringify(s) !== JSON.stringify(r.default);
  console.log(`| \`${r.key}\` | ${r.type.replace(/\|/g, '\\|')} | ${r.required ? '**required**' : fmt(r.default)} | ${differs ? fmt(s) : ''} | ${r.description.replace(/\|/g, '\\|')} |`);
}
