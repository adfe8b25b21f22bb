import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '@koenbert/tensor-utils';
import { RunConfigSchema } from '../src/index';
import { planRun } from '../src/commands/run-plan';
import { describeIfSharedData, REPO_ROOT } from './helpers';

const CONFIGS = path.join(REPO_ROOT, 'configs');

/** Plans a shipped config from the repository root (its paths are relative to it), with `overrides` on top. */
async function plan(name: string, overrides: Record<string, unknown>) {
  const file = path.join('configs', name);
  const config = await resolveConfig({ schema: RunConfigSchema, file, overrides });
  return planRun({ config, file });
}

describe('the shipped configs', () => {
  let cwd: string;
  let root: string;
  beforeAll(async () => {
    cwd = process.cwd();
    process.chdir(REPO_ROOT);
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-configs-'));
  });
  afterAll(async () => {
    process.chdir(cwd);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('are the three the README names', async () => {
    expect((await fs.readdir(CONFIGS)).sort()).toEqual(['ci-tiny.yaml', 'koenbert-base.yaml', 'offline-small.yaml']);
  });

  it('koenbert-base.yaml needs nothing local: Hub teachers, hf: text, Hub datasets; the student is named koenbert-base', async () => {
    const units = await plan('koenbert-base.yaml', { output: path.join(root, 'base') });
    expect(units.every((unit) => unit.state === 'new')).toBe(true);
    const distill = units.find((unit) => unit.kind === 'distill')!;
    expect(distill.output).toBe(path.join(root, 'base', 'koenbert-base'));
    expect(Object.keys(distill.record.inputs).filter((source) => !source.startsWith('hf:') && !['klue/bert-base', 'bert-base-uncased', 'student-init'].includes(source))).toEqual([]);
    expect(units.map((unit) => unit.id)).toContain('eval koenbert-base klue-ner');
    const text = await fs.readFile(path.join(CONFIGS, 'koenbert-base.yaml'), 'utf8');
    expect(text).not.toContain('shared/data');
  });

  it.each([
    ['offline-small.yaml', 'runs/teachers/ko', 'node tools/build-teachers.mjs'],
    ['ci-tiny.yaml', 'runs/ci-tiny-teachers/ko', 'node tools/make-tiny-teachers.mjs'],
  ])('%s without its teachers names the command that builds them (and the config says so too)', async (name, teacher, command) => {
    expect(await fs.readFile(path.join(CONFIGS, name), 'utf8')).toContain(command);
    expect(existsSync(path.join(REPO_ROOT, command.split(' ')[1]))).toBe(true);
    if (existsSync(teacher)) return; // built here: nothing to check
    await expect(plan(name, { output: path.join(root, name) })).rejects.toThrow(`korean: ${teacher} not found; build it with: ${command}`);
  });
});

describeIfSharedData(['text/ko/kolaw-constitution.txt', 'text/en/wikitext-2-valid.txt', 'text/en/gutenberg'], 'the shipped configs with teachers in place', () => {
  let cwd: string;
  let root: string;
  beforeAll(async () => {
    cwd = process.cwd();
    process.chdir(REPO_ROOT);
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-configs-'));
  });
  afterAll(async () => {
    process.chdir(cwd);
    await fs.rm(root, { recursive: true, force: true });
  });

  it.each(['offline-small.yaml', 'ci-tiny.yaml'])('%s: every section and every local input checks out', async (name) => {
    const teacher = path.join(root, 'teacher');
    await fs.mkdir(teacher, { recursive: true });
    const units = await plan(name, { output: path.join(root, name), korean: teacher, english: teacher });
    expect(units.filter((unit) => unit.kind === 'eval').length).toBeGreaterThan(0);
    expect(units.map((unit) => unit.state)).toEqual(units.map(() => 'new'));
  });
});
