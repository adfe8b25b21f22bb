import { buildMergeMap, loadWordPieceTokenizer, type MergedVocab, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { LanguageBatches, type TokenBatch } from '../src/lib/data/language-batches';
import { describeIfSharedData, sharedPath } from './helpers/shared-data';

describeIfSharedData('tokenizers/kcelectra-base/vocab.txt', 'LanguageBatches on real text and tokenizers', () => {
  let korean: WordPieceTokenizer;
  let english: WordPieceTokenizer;
  let merged: MergedVocab;
  beforeAll(async () => {
    korean = await loadWordPieceTokenizer(sharedPath('tokenizers', 'kcelectra-base'));
    english = await loadWordPieceTokenizer(sharedPath('tokenizers', 'bert-base-uncased'));
    merged = buildMergeMap({ korean: korean.spec, english: english.spec });
  });

  const open = (lang: 'en' | 'ko', state?: ReturnType<LanguageBatches['getState']>) =>
    LanguageBatches.open({
      lang,
      sources: [{ source: lang === 'en' ? sharedPath('text', 'en', 'wikitext-2-valid.txt') : sharedPath('text', 'ko', 'kolaw-constitution.txt') }],
      seed: 11,
      bufferSize: 64,
      merged: merged.map,
      teacher: lang === 'en' ? english : korean,
      maxLength: 48,
      packing: true,
      studentPadId: 0,
      state,
    });

  const rows = (batch: TokenBatch, ids: Int32Array) =>
    Array.from({ length: batch.batchSize }, (_, r) => Array.from(ids.subarray(r * batch.seqLength, (r + 1) * batch.seqLength)));

  it('packs English lines into full sequences whose student ids are the same tokens in the merged vocab', async () => {
    const batches = await open('en');
    const batch = await batches.nextBatch(4);
    expect(batch.lang).toBe('en');
    expect(batch.seqLength).toBeLessThanOrEqual(48);
    const teacherRows = rows(batch, batch.teacherIds);
    const studentRows = rows(batch, batch.studentIds);
    for (let r = 0; r < 4; r++) {
      const valid = batch.attentionMask.subarray(r * batch.seqLength, (r + 1) * batch.seqLength).reduce((a, b) => a + b, 0);
      expect(valid).toBeGreaterThanOrEqual(47); // packed: full but for at most one slot
      expect(english.vocab[teacherRows[r][0]]).toBe('[CLS]');
      expect(english.vocab[teacherRows[r][valid - 1]]).toBe('[SEP]');
      for (let i = 0; i < valid; i++) expect(merged.vocab[studentRows[r][i]]).toBe(english.vocab[teacherRows[r][i]]);
    }
    // English sequences use tokens appended after the Korean vocab
    expect(studentRows.flat().some((id) => id >= korean.size)).toBe(true);
    await batches.close();
  });

  it('gives Korean student ids equal to the Korean teacher ids, and resumes to identical batches', async () => {
    const straight = await open('ko');
    const expected = [await straight.nextBatch(3), await straight.nextBatch(3), await straight.nextBatch(3)];
    expect(Array.from(expected[0].studentIds)).toEqual(Array.from(expected[0].teacherIds));
    expect(expected[0].tokens).toBeGreaterThan(3 * 40);

    const first = await open('ko');
    await first.nextBatch(3);
    const state = JSON.parse(JSON.stringify(first.getState()));
    await first.close();
    const resumed = await open('ko', state);
    for (const want of expected.slice(1)) {
      const got = await resumed.nextBatch(3);
      expect(Array.from(got.studentIds)).toEqual(Array.from(want.studentIds));
      expect(Array.from(got.attentionMask)).toEqual(Array.from(want.attentionMask));
    }
    await Promise.all([straight.close(), resumed.close()]);
  });
});
