import { dataError } from '../io/data-error';
import type { TaskSpec } from './task-registry';

interface Where {
  file: string;
  /** 1-based line, for line-based formats. */
  line?: number;
  /** e.g. `item 12 (guid …)`, for JSON. */
  item?: string;
}

function prefix(where: Where): string {
  return where.item ? `${where.item}: ` : '';
}

/** The class index of a label string; a label outside the task's label set is a one-line error. */
export function classIndex(params: { task: TaskSpec; value: string } & Where): number {
  const { task, value } = params;
  const index = task.labels.indexOf(value);
  if (index < 0) {
    throw dataError({
      code: 'DATA_UNKNOWN_LABEL',
      file: params.file,
      line: params.line,
      message: `${prefix(params)}label "${value}" is not in the ${task.title} label set (${task.labels.join(', ')})`,
    });
  }
  return index;
}

/** A binary label: 0 or 1 (a number, a numeric string, or a bigint as parquet stores ClassLabel indices). */
export function binaryValue(params: { value: unknown; field: string } & Where): number {
  const { value } = params;
  const number = typeof value === 'bigint' ? Number(value) : typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (number !== 0 && number !== 1) {
    throw dataError({
      code: 'DATA_MALFORMED_ROW',
      file: params.file,
      line: params.line,
      message: `${prefix(params)}${params.field} must be 0 or 1, found ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)}`,
    });
  }
  return number;
}

/** A regression score (finite number). */
export function scoreValue(params: { value: unknown; field: string } & Where): number {
  const { value } = params;
  const score = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(score)) {
    throw dataError({
      code: 'DATA_MALFORMED_ROW',
      file: params.file,
      line: params.line,
      message: `${prefix(params)}${params.field} must be a number, found ${JSON.stringify(value)}`,
    });
  }
  return score;
}
