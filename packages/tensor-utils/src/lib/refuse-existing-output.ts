import { promises as fs } from 'node:fs';
import { KoenbertError } from './errors';

/** A stage never writes over a finished artifact unless told to: an existing output without `overwrite` is an error. */
export async function refuseExistingOutput(output: string, overwrite: boolean): Promise<void> {
  if (overwrite) return;
  const exists = await fs.stat(output).then(
    () => true,
    () => false,
  );
  if (exists) throw new KoenbertError({ code: 'OUTPUT_EXISTS', file: output, message: 'already exists; choose another output or set overwrite' });
}
