import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describeSchema } from '@koenbert/tensor-utils';
import { DistillConfigSchema, mixProbability, parseDistillConfig, resolveDistillConfig } from '../src/lib/config';
import { removeDir, tempDir } from './helpers/temp-dir';

const minimal = { student: 'student-dir', output: 'out', data: { en: ['en.txt'] } };

describe('distill config', () => {
  it('fills the default preset: 48 relation heads, length 128, last layers, weights 1, temperature 1', () => {
    const config = parseDistillConfig(minimal);
    expect(config.preset).toBe('default');
    expect(config.loss).toEqual({ relationHeads: 48, qq: 1, kk: 1, vv: 1, temperature: 1, en: 1, ko: 1 });
    expect(config.data.maxLength).toBe(128);
    expect(config.teachers.en).toEqual({ model: 'bert-base-uncased' });
    expect(config.teachers.ko.model).toBe('klue/bert-base');
    expect(config.studentLayer).toBeUndefined();
  });

  it('the seed preset has the original project’s hyperparameters', () => {
    const config = parseDistillConfig({ ...minimal, preset: 'seed' });
    expect(config.optim).toMatchObject({ lr: 5e-5, beta1: 0.9, beta2: 0.98, weightDecay: 0.01, warmupRatio: 0.01, maxGradNorm: 1, batchSize: 16 });
    expect(config.steps).toBe(100_000);
    expect(config.data.maxLength).toBe(256);
    expect(config.data.packing).toBe(true);
    expect(mixProbability(config.data.mix)).toBe(0.5);
    expect(config.loss.relationHeads).toBe(24);
  });

  it('precedence: defaults < preset < file < overrides, and errors name the field', async () => {
    const dir = await tempDir();
    try {
      const file = path.join(dir, 'distill.yaml');
      await fs.writeFile(file, 'preset: seed\nstudent: s\noutput: o\ndata:\n  ko: [ko.txt]\n  maxLength: 64\noptim:\n  lr: 0.001\n');
      const config = await resolveDistillConfig({ file, overrides: { 'optim.lr': 0.002, 'loss.relationHeads': 12 } });
      expect(config.preset).toBe('seed');
      expect(config.optim.lr).toBe(0.002);
      expect(config.data.maxLength).toBe(64);
      expect(config.loss.relationHeads).toBe(12);
      expect(config.optim.beta2).toBe(0.98);
      await expect(resolveDistillConfig({ file, overrides: { 'optim.learningRate': 1 } })).rejects.toThrow(/optim\.learningRate: unknown key/);
      await expect(resolveDistillConfig({ overrides: { student: 's', output: 'o' } })).rejects.toThrow(/data: give text/);
    } finally {
      await removeDir(dir);
    }
    expect(() => parseDistillConfig({ ...minimal, data: { en: ['x'], mix: 'half' } })).toThrow(/data\.mix: expected <en>:<ko>/);
    expect(() => parseDistillConfig({ ...minimal, data: { en: ['x'], mixSchedule: '5:0.1,2:0.3' } })).toThrow(/data\.mixSchedule: .*must increase/);
    expect(mixProbability('3:1')).toBe(0.75);
  });

  it('every option has a description (the CLI’s --help and the README table come from it)', () => {
    const rows = describeSchema(DistillConfigSchema);
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(['teachers.en.layer', 'loss.relationHeads', 'optim.freezeOldEmbeddings', 'data.mixSchedule']));
    expect(rows.filter((r) => r.description === '')).toEqual([]);
  });
});
