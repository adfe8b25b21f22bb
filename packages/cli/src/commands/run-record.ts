import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@koenbert/tensor-utils';

export const RUN_RECORD_FORMAT = 'koenbert-run-inputs/1';
/** The record's name inside a stage's output folder; an eval result's record is `<task>.run-inputs.json` beside it. */
export const RUN_RECORD_FILE = 'koenbert-run-inputs.json';
export const RUN_RECORD_SUFFIX = '.run-inputs.json';

/**
 * What one unit of `koenbert run` (a stage, or one model × task of eval) was made from: its effective config
 * (without the paths run chooses inside the work folder) and a fingerprint of every input.
 */
export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  unit: string;
  config: Record<string, unknown>;
  inputs: Record<string, string>;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A short hash of a record: downstream units name an upstream unit's output by it (`run:<digest>`). */
export function recordDigest(record: RunRecord): string {
  return createHash('sha256').update(canonical({ unit: record.unit, config: record.config, inputs: record.inputs })).digest('hex').slice(0, 16);
}

export async function readRunRecord(file: string): Promise<RunRecord | undefined> {
  try {
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as RunRecord;
    return json && json.format === RUN_RECORD_FORMAT ? json : undefined;
  } catch {
    return undefined;
  }
}

export async function writeRunRecord(file: string, record: RunRecord): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify({ ...record, digest: recordDigest(record) }, null, 2)}\n`);
}

function flatten(value: unknown, prefix: string, out: Record<string, string>): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) flatten(item, prefix ? `${prefix}.${key}` : key, out);
  } else if (value !== undefined) out[prefix] = canonical(value);
  return out;
}

/**
 * What differs between the recorded and the planned record: config keys as `prefix.key old → new`, external inputs
 * as `input <source> changed`. Inputs that are other units' outputs (`run:<digest>`) are left out: the unit that
 * made them lists its own changes.
 */
export function describeChanges(params: { recorded: RunRecord; planned: RunRecord; configPrefix: string | ((key: string) => string) }): string[] {
  const changes: string[] = [];
  const show = (text: string | undefined) => (text === undefined ? '(none)' : text.length > 40 ? `${text.slice(0, 40)}…` : text);
  const before = flatten(params.recorded.config, '', {});
  const after = flatten(params.planned.config, '', {});
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (before[key] === after[key]) continue;
    const prefix = typeof params.configPrefix === 'string' ? params.configPrefix : params.configPrefix(key);
    changes.push(`${prefix}${key} ${show(before[key])} → ${show(after[key])}`);
  }
  const inputs = params.planned.inputs;
  for (const [source, fingerprint] of Object.entries(inputs)) {
    if (fingerprint.startsWith('run:') || params.recorded.inputs?.[source] === fingerprint) continue;
    changes.push(`input ${source} ${params.recorded.inputs?.[source] === undefined ? 'added' : 'changed'}`);
  }
  for (const source of Object.keys(params.recorded.inputs ?? {})) if (!(source in inputs)) changes.push(`input ${source} removed`);
  return changes;
}
