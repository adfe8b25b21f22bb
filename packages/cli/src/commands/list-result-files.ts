import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KoenbertError } from '@koenbert/tensor-utils';
import { RUN_RECORD_SUFFIX } from './run-record';

/**
 * Result files named directly, plus every *.json one level or two below a folder (<dir>/<model>/<task>.json), except
 * the records `koenbert run` keeps beside them (<task>.run-inputs.json).
 */
export async function listResultFiles(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const stat = await fs.stat(input).catch(() => undefined);
    if (!stat) throw new KoenbertError({ code: 'FILE_NOT_FOUND', file: input, message: 'no such file or folder' });
    if (stat.isFile()) {
      files.push(input);
      continue;
    }
    for (const entry of (await fs.readdir(input, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(input, entry.name);
      for (const name of (await fs.readdir(dir)).sort()) if (name.endsWith('.json') && !name.endsWith(RUN_RECORD_SUFFIX)) files.push(path.join(dir, name));
    }
  }
  if (files.length === 0) throw new KoenbertError({ code: 'FILE_NOT_FOUND', message: `no result files in ${inputs.join(', ')}` });
  return files;
}
