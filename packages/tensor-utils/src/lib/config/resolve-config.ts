import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { KoenbertError } from '../errors';
import { defOf, isPlainObject, objectShape, rejectsUnknownKeys, unwrap } from './zod-introspect';

export interface ResolveConfigParams<S extends z.ZodType> {
  /** The stage's zod schema: types, defaults (`.default()`), descriptions (`.describe()`). Nested sections are plain `z.object`s. */
  schema: S;
  /** A config file, `.json`, `.yaml` or `.yml`; its top level is a mapping. */
  file?: string;
  /** Values that win over the file (CLI flags): nested objects or dotted keys (`{ 'distill.lr': 1e-4 }`); undefined values are ignored. */
  overrides?: Record<string, unknown>;
  /** How errors name the overrides; default 'command line'. */
  overridesLabel?: string;
}

type Source = { kind: 'file' | 'overrides'; label: string };

/**
 * The one way every stage builds its config: schema defaults < config file < overrides, validated by the schema.
 * Unknown keys are errors (with a "did you mean" when one is close). Every error is a one-line KoenbertError
 * (code CONFIG_INVALID, or FILE_NOT_FOUND) that names where the bad value came from and the field path:
 *   config.yaml: distill.lr: expected number, got string "fast"
 *   command line: distill.warmupSteps: unknown key (did you mean warmup_steps?)
 */
export async function resolveConfig<S extends z.ZodType>(params: ResolveConfigParams<S>): Promise<z.output<S>> {
  const { schema, file } = params;
  const overridesLabel = params.overridesLabel ?? 'command line';
  const fromFile = file === undefined ? {} : await readConfigFile(file);
  const fromOverrides = expandDottedKeys(params.overrides ?? {}, overridesLabel);
  const merged = deepMerge(fromFile, fromOverrides);

  // A value that is in neither source (a required option left out) is blamed on the file when there is one.
  const sourceOf = (keyPath: (string | number)[]): Source => {
    if (hasPath(fromOverrides, keyPath) || file === undefined) return { kind: 'overrides', label: overridesLabel };
    return { kind: 'file', label: file };
  };
  const fail = (keyPath: (string | number)[], message: string, cause?: unknown): never => {
    const source = sourceOf(keyPath);
    const where = keyPath.length > 0 ? `${formatPath(keyPath)}: ${message}` : message;
    throw new KoenbertError({
      code: 'CONFIG_INVALID',
      file: source.kind === 'file' ? source.label : undefined,
      message: source.kind === 'file' ? where : `${source.label}: ${where}`,
      cause,
    });
  };

  const prepared = prepare(schema, merged, [], fail);
  const result = schema.safeParse(prepared);
  if (!result.success) {
    const issue = result.error.issues[0];
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    fail(issue.path as (string | number)[], describeIssue(issue, valueAt(prepared, issue.path as (string | number)[])) + more, result.error);
  }
  return (result as { data: z.output<S> }).data;
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  const extension = path.extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension)) {
    throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: `unsupported config file type "${extension}": use .json, .yaml or .yml` });
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new KoenbertError({ code: missing ? 'FILE_NOT_FOUND' : 'FILE_READ_FAILED', file, message: missing ? 'config file not found' : (error as Error).message, cause: error });
  }
  let value: unknown;
  try {
    value = extension === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const firstLine = ((error as Error).message ?? String(error)).split('\n')[0];
    throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: `not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${firstLine}`, cause: error });
  }
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: `the top level must be a mapping of options, got ${describeValue(value)}` });
  }
  return value;
}

/** `{ 'a.b': 1, c: { d: undefined } }` → `{ a: { b: 1 }, c: {} }`. */
function expandDottedKeys(overrides: Record<string, unknown>, label: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const parts = key.split('.');
    if (parts.some((part) => part === '')) {
      throw new KoenbertError({ code: 'CONFIG_INVALID', message: `${label}: "${key}" is not a valid option path` });
    }
    let target = out;
    for (const part of parts.slice(0, -1)) {
      if (!isPlainObject(target[part])) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    const expanded = isPlainObject(value) ? expandDottedKeys(value, label) : value;
    target[last] = isPlainObject(expanded) && isPlainObject(target[last]) ? deepMerge(target[last] as Record<string, unknown>, expanded) : expanded;
  }
  return out;
}

/** Plain objects merge key by key; anything else (arrays included) in `top` replaces what is in `base`. */
function deepMerge(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key] as Record<string, unknown>, value) : value;
  }
  return out;
}

/**
 * Checks for unknown keys against the schema and fills absent nested sections with {} (so their fields' defaults
 * apply — zod would otherwise report the section as missing). Returns a copy.
 */
function prepare(schema: z.ZodType, value: unknown, keyPath: (string | number)[], fail: (p: (string | number)[], m: string) => never): unknown {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'object' && isPlainObject(value)) {
    const shape = objectShape(inner)!;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (!(key in shape)) {
        if (rejectsUnknownKeys(inner)) fail([...keyPath, key], `unknown key${suggestion(key, Object.keys(shape))}`);
        out[key] = item;
        continue;
      }
      out[key] = prepare(shape[key], item, [...keyPath, key], fail);
    }
    for (const [key, field] of Object.entries(shape)) {
      if (out[key] === undefined && defOf(field).type === 'object') out[key] = prepare(field, {}, [...keyPath, key], fail);
    }
    return out;
  }
  if (def.type === 'array' && Array.isArray(value)) return value.map((item, i) => prepare(def.element!, item, [...keyPath, i], fail));
  if (def.type === 'record' && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, prepare(def.valueType!, item, [...keyPath, key], fail)]));
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? `required (expected ${issue.expected})` : `expected ${issue.expected}, got ${describeValue(value)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    default:
      return lowerFirst(issue.message);
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function formatPath(keyPath: (string | number)[]): string {
  return keyPath.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function hasPath(value: unknown, keyPath: (string | number)[]): boolean {
  let current = value;
  for (const part of keyPath) {
    if (current === null || typeof current !== 'object' || !(part in (current as object))) return false;
    current = (current as Record<string | number, unknown>)[part];
  }
  return true;
}

function valueAt(value: unknown, keyPath: (string | number)[]): unknown {
  let current = value;
  for (const part of keyPath) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/** " (did you mean lr?)" when a known key is within edit distance 2 (or differs only in case / _ vs -). */
function suggestion(key: string, known: string[]): string {
  const normalise = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = normalise(candidate) === normalise(key) ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? ` (known: ${known.join(', ')})` : ` (did you mean ${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
