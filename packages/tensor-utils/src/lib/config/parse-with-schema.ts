import type { z } from 'zod';
import { KoenbertError } from '../errors';

/**
 * `schema.parse` for a stage's config object, with the first problem as a one-line KoenbertError CONFIG_INVALID
 * that names the field (dotted path, or the unknown keys) and, when given, the file the object came from.
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown, file?: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(config)');
  throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: `${field}: ${issue.message}` });
}
