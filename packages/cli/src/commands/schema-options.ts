import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { describeSchema, type SchemaRow } from '@koenbert/tensor-utils';

export interface SchemaOption {
  row: SchemaRow;
  attribute: string;
}

/**
 * One flag per option of a stage's config schema, named by its dotted key (`--optim.lr <value>`), help text and default
 * from the schema. Defaults are not set on the flags: the schema fills them in after the config file, so that the
 * precedence stays defaults < config file < flags.
 */
export function addSchemaOptions(params: { command: Command; schema: z.ZodType; skip?: string[] }): SchemaOption[] {
  const { command, schema, skip = [] } = params;
  const added: SchemaOption[] = [];
  for (const row of describeSchema(schema)) {
    if (skip.includes(row.key)) continue;
    const option = new Option(flagsOf(row), helpOf(row));
    command.addOption(option);
    added.push({ row, attribute: option.attributeName() });
  }
  return added;
}

function flagsOf(row: SchemaRow): string {
  if (row.type === 'boolean') return `--${row.key} [bool]`;
  if (row.type.endsWith('[]')) return `--${row.key} <values...>`;
  return `--${row.key} <${row.type.includes('|') && !row.type.includes('null') ? 'choice' : row.type}>`;
}

function helpOf(row: SchemaRow): string {
  const parts = [row.description || row.type];
  if (row.type.includes(' | ')) parts.push(`(${row.type})`);
  if (row.required) parts.push('(required)');
  else if (row.default !== undefined) parts.push(`(default: ${JSON.stringify(row.default)})`);
  return parts.join(' ');
}

/** The flags given on the command line as dotted-key overrides, strings turned into the schema's types. */
export function collectOverrides(params: { options: SchemaOption[]; values: Record<string, unknown> }): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const { row, attribute } of params.options) {
    const value = params.values[attribute];
    if (value === undefined) continue;
    overrides[row.key] = convert(row.type, value);
  }
  return overrides;
}

/** A value left as a string when it does not parse, so the schema's error names the field and the bad value. */
function convert(type: string, value: unknown): unknown {
  if (Array.isArray(value)) {
    const element = type.replace(/^\(|\)?\[\]$/g, '');
    return value.flatMap((item) => String(item).split(',')).filter((item) => item !== '').map((item) => convert(element, item));
  }
  if (value === true) return true;
  const text = String(value);
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (/\b(number|integer)\b/.test(type)) {
    if (text === 'null' && type.includes('null')) return null;
    const number = Number(text);
    if (text.trim() !== '' && Number.isFinite(number)) return number;
  }
  return text;
}
