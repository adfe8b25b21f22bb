import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describeSchema, resolveConfig } from '@koenbert/tensor-utils';
import { MergeVocabsConfigSchema, parseMergeVocabsConfig } from '../src';
import { removeDir, tempDir } from './helpers/fixtures';

describe('merge-vocab config', () => {
  test('defaults are filled in', () => {
    expect(parseMergeVocabsConfig({ korean: 'k', english: 'e', output: 'o' })).toEqual({
      korean: 'k',
      english: 'e',
      output: 'o',
      overwrite: false,
      koreanText: [],
      englishText: [],
      maxSentencesPerSource: 2000,
      examplesPerCategory: 5,
      verifyRoundTrip: true,
    });
  });

  test.each([
    [{ english: 'e', output: 'o' }, 'korean'],
    [{ korean: 'k', english: 'e', output: 'o', maxSentencesPerSource: 0 }, 'maxSentencesPerSource'],
    [{ korean: 'k', english: 'e', output: 'o', koreanText: 'a.txt' }, 'koreanText'],
    [{ korean: 'k', english: 'e', output: 'o', lowercase: true }, 'lowercase'],
  ])('%j is refused naming the field %s', (input, field) => {
    expect(() => parseMergeVocabsConfig(input, 'merge.yaml')).toThrow(new RegExp(`^merge\\.yaml: ${field}: `));
  });

  test('every field has help text (the CLI shows it)', () => {
    for (const [key, field] of Object.entries(MergeVocabsConfigSchema.shape)) {
      expect([key, field.description]).toEqual([key, expect.any(String)]);
    }
  });

  test('the CLI path: resolveConfig (defaults < YAML file < flags) and describeSchema work with this schema', async () => {
    const root = await tempDir();
    try {
      const file = path.join(root, 'merge.yaml');
      await fs.writeFile(file, 'korean: klue/bert-base\nenglish: bert-base-uncased\noutput: out/tok\nmaxSentencesPerSource: 100\n');
      const config = await resolveConfig({ schema: MergeVocabsConfigSchema, file, overrides: { maxSentencesPerSource: 50, overwrite: true } });
      expect(config).toMatchObject({ korean: 'klue/bert-base', output: 'out/tok', maxSentencesPerSource: 50, overwrite: true, examplesPerCategory: 5 });
      expect(parseMergeVocabsConfig(config)).toEqual(config);
      const rows = describeSchema(MergeVocabsConfigSchema);
      expect(rows.map((row) => row.key)).toEqual(Object.keys(MergeVocabsConfigSchema.shape));
      expect(rows.find((row) => row.key === 'korean')).toMatchObject({ required: true });
    } finally {
      await removeDir(root);
    }
  });
});
