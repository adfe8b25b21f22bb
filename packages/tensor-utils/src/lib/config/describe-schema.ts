import type { z } from 'zod';
import { defOf, objectShape, unwrap, WRAPPERS } from './zod-introspect';

export interface SchemaRow {
  /** Dotted path of the option, e.g. `distill.lr`. */
  key: string;
  /** Readable type: `number`, `integer`, `string`, `boolean`, `a | b` for enums, `string[]`, … */
  type: string;
  /** The default value, or undefined when there is none. */
  default: unknown;
  /** True when there is no default and the option may not be left out. */
  required: boolean;
  /** The text given with zod's `.describe()` (on the field or inside its wrappers), or ''. */
  description: string;
}

/**
 * One row per option of a config schema (nested objects flattened to dotted keys), in declaration order — the source
 * for `--help` text and README option tables, so both always match the schema.
 */
export function describeSchema(schema: z.ZodType): SchemaRow[] {
  const rows: SchemaRow[] = [];
  collect(schema, '', rows);
  return rows;
}

function collect(schema: z.ZodType, prefix: string, rows: SchemaRow[]): void {
  const shape = objectShape(schema);
  if (!shape) return;
  for (const [name, field] of Object.entries(shape)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (objectShape(field) && defOf(unwrap(field)).type === 'object') {
      collect(field, key, rows);
      continue;
    }
    const info = wrapperInfo(field);
    rows.push({ key, type: typeName(field), default: info.default, required: !info.hasDefault && !info.optional, description: info.description });
  }
}

function wrapperInfo(schema: z.ZodType): { default: unknown; hasDefault: boolean; optional: boolean; description: string } {
  let current: z.ZodType | undefined = schema;
  let description = '';
  let hasDefault = false;
  let value: unknown;
  let optional = false;
  while (current) {
    description ||= (current as unknown as { description?: string }).description ?? '';
    const def = defOf(current);
    if ((def.type === 'default' || def.type === 'prefault') && !hasDefault) {
      hasDefault = true;
      value = def.defaultValue;
    }
    if (def.type === 'optional') optional = true;
    current = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined;
  }
  return { default: value, hasDefault, optional, description };
}

function typeName(schema: z.ZodType): string {
  const def = defOf(schema);
  if (def.type === 'nullable') return `${typeName(def.innerType!)} | null`;
  if (WRAPPERS.has(def.type)) return typeName(def.innerType!);
  switch (def.type) {
    case 'pipe':
      return typeName(def.in!);
    case 'number': {
      const format = (schema as unknown as { format?: string | null }).format;
      return format && /int/.test(format) ? 'integer' : 'number';
    }
    case 'enum':
      return Object.values(def.entries ?? {}).join(' | ');
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'array': {
      const element = typeName(def.element!);
      return element.includes(' | ') ? `(${element})[]` : `${element}[]`;
    }
    case 'record':
      return `Record<string, ${typeName(def.valueType!)}>`;
    case 'union':
      return (def.options ?? []).map(typeName).join(' | ');
    default:
      return def.type;
  }
}
