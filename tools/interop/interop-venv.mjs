// The pinned Python environment of the interop checks: a venv under ~/.cache/koenbert (KOENBERT_CACHE to move it)
// named by a hash of tools/interop/requirements.txt, built once with pip from PyPI and reused by every later run.
// Built in a temp folder and renamed into place, so a killed build never leaves a half venv that looks ready.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const REQUIREMENTS = path.join(here, 'requirements.txt');
const READY = '.koenbert-ready';

export class InteropError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.code = code;
  }
}

export function interopCacheDir() {
  return process.env.KOENBERT_CACHE ?? path.join(os.homedir(), '.cache', 'koenbert');
}

/** The package index pip uses here: PIP_INDEX_URL, else pip's configured index, else PyPI. */
async function indexUrl(python) {
  if (process.env.PIP_INDEX_URL) return process.env.PIP_INDEX_URL;
  try {
    const { stdout } = await run(python, ['-m', 'pip', 'config', 'get', 'global.index-url'], { encoding: 'utf8' });
    if (stdout.trim()) return stdout.trim();
  } catch {
    // not configured
  }
  return 'https://pypi.org/simple/';
}

async function checkIndexReachable(python) {
  const index = await indexUrl(python);
  const url = new URL('transformers/', index.endsWith('/') ? index : `${index}/`);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    throw new InteropError('PYPI_UNREACHABLE', `PyPI is unreachable (${url.origin}: ${error.cause?.code ?? error.cause?.errors?.[0]?.code ?? error.cause?.message ?? error.message}); the interop venv cannot be built`, { cause: error });
  }
}

/**
 * Returns the python executable of the pinned venv, building it first if needed. `log` receives one line per step.
 * Throws InteropError PYPI_UNREACHABLE (no venv yet and no index), PYTHON_MISSING or VENV_FAILED (pip's last line).
 */
export async function ensureInteropVenv({ log = () => {}, basePython = process.env.KOENBERT_INTEROP_PYTHON ?? 'python3' } = {}) {
  const requirements = await fs.readFile(REQUIREMENTS);
  const hash = createHash('sha256').update(requirements).digest('hex').slice(0, 16);
  const cache = interopCacheDir();
  const dir = path.join(cache, `interop-venv-${hash}`);
  const python = path.join(dir, 'bin', 'python');
  if (existsSync(path.join(dir, READY))) return { python, dir, hash, built: false };

  try {
    await run(basePython, ['-c', 'import sys, venv; assert sys.version_info >= (3, 11), sys.version'], { encoding: 'utf8' });
  } catch (error) {
    throw new InteropError('PYTHON_MISSING', `${basePython} with venv and Python ≥ 3.11 is needed (torch's wheels need it): ${String(error.stderr || error.message).trim().split('\n').pop()}`);
  }
  await checkIndexReachable(basePython);
  await fs.mkdir(cache, { recursive: true });
  const temp = `${dir}.building-${process.pid}`;
  const logFile = `${dir}.pip.log`;
  log(`building the interop venv ${dir} (torch wheels ~3 GB on first build; pip log: ${logFile})`);
  await fs.rm(temp, { recursive: true, force: true });
  const started = Date.now();
  try {
    await run(basePython, ['-m', 'venv', temp]);
    const tempPython = path.join(temp, 'bin', 'python');
    const { stdout, stderr } = await run(tempPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-r', REQUIREMENTS], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }).catch(async (error) => {
      await fs.writeFile(logFile, `${error.stdout ?? ''}\n${error.stderr ?? ''}`);
      const last = String(error.stderr || error.stdout || error.message).trim().split('\n').pop();
      throw new InteropError('VENV_FAILED', `pip install -r ${path.relative(process.cwd(), REQUIREMENTS)} failed: ${last} (log: ${logFile})`);
    });
    await fs.writeFile(logFile, `${stdout}\n${stderr}`);
    const freeze = await run(tempPython, ['-m', 'pip', 'freeze'], { encoding: 'utf8' });
    await fs.writeFile(path.join(temp, READY), freeze.stdout);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(temp, dir);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
  log(`interop venv ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // venvs of earlier pins are several GB each: keep only this one
  for (const entry of await fs.readdir(cache)) {
    if (/^interop-venv-[0-9a-f]{16}$/.test(entry) && entry !== path.basename(dir)) await fs.rm(path.join(cache, entry), { recursive: true, force: true });
  }
  return { python, dir, hash, built: true };
}

/** The versions pip installed (pip freeze at build time). */
export async function interopVenvFreeze(dir) {
  return (await fs.readFile(path.join(dir, READY), 'utf8')).trim().split('\n');
}
