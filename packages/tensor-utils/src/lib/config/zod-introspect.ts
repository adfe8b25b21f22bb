import type { z } from 'zod';

/**
 * Small, read-only views of a zod 4 schema's definition (`schema.def`), for the config helpers. Wrappers that do not
 * change the shape of the value (default, prefault, optional, nullable, readonly, catch, nonoptional) are looked through.
 */

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  in?: z.ZodType;
  defaultValue?: unknown;
}

export const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

export function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def;
}

/** Follows wrappers (and the input side of pipes/transforms) down to the schema that says what the value is. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

/** The object schema's fields, or undefined when `schema` (unwrapped) is not an object. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? def.shape : undefined;
}

/** Whether an object schema rejects keys it does not list: z.object and z.strictObject do here; z.looseObject / .catchall() do not. */
export function rejectsUnknownKeys(schema: z.ZodType): boolean {
  const catchall = defOf(unwrap(schema)).catchall;
  return catchall === undefined || defOf(catchall).type === 'never';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}
