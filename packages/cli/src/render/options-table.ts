import type { z } from 'zod';
import { describeSchema } from '@koenbert/tensor-utils';

/** A markdown table of a stage's flags (from its schema): flag, type, default, description. */
export function optionsTable(schema: z.ZodType): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = describeSchema(schema).map((row) => {
    const fallback = row.required ? '*required*' : row.default === undefined ? '' : `\`${JSON.stringify(row.default)}\``;
    return `| \`--${row.key}\` | ${escape(row.type)} | ${escape(fallback)} | ${escape(row.description)} |`;
  });
  return ['| flag | type | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
