import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isNerExample, type NerExample, type SentenceExample } from '../src/lib/tasks/examples';
import { loadSplit } from '../src/lib/tasks/load-split';
import { getTask, type TaskName } from '../src/lib/tasks/task-registry';
import { describeIfSharedData, SHARED_DATA, sharedPath } from './shared-data';

async function load(task: TaskName, split: 'train' | 'dev'): Promise<SentenceExample[]> {
  return (await loadSplit({ task: getTask(task), split, dataDir: SHARED_DATA })) as SentenceExample[];
}

function labelCounts(examples: SentenceExample[]): number[] {
  const counts: number[] = [];
  for (const example of examples) counts[example.label] = (counts[example.label] ?? 0) + 1;
  return counts;
}

describeIfSharedData(['klue', 'glue', 'kor-nlu'], 'loaders on the real KLUE and GLUE files', () => {
  // Counts from ../shared/data/README.md; label distributions counted with python's json/csv modules.
  it.each([
    ['klue-ynat', 'dev', 9107, [554, 1348, 3701, 1369, 835, 578, 722]],
    ['klue-nli', 'dev', 3000, [1000, 1000, 1000]],
    ['klue-nli', 'train', 24998, [8561, 7948, 8489]],
    ['glue-mrpc', 'dev', 408, [129, 279]],
    ['glue-mrpc', 'train', 3668, [1194, 2474]],
    ['glue-sst2', 'dev', 872, [428, 444]],
    ['glue-qnli', 'dev', 5463, [2702, 2761]],
  ] as const)('%s %s: %i examples with the expected label counts', async (task, split, count, labels) => {
    const examples = await load(task, split);
    expect(examples).toHaveLength(count);
    expect(labelCounts(examples)).toEqual(labels);
    expect(examples.every((e) => e.textA.length > 0)).toBe(true);
    expect(examples.every((e) => (getTask(task).isPair ? typeof e.textB === 'string' && e.textB.length > 0 : e.textB === undefined))).toBe(true);
  });

  it.each([
    ['klue-sts', 'dev', 519, 0, 5],
    ['klue-sts', 'train', 11668, 0, 5],
    ['glue-stsb', 'dev', 1500, 0, 5],
    ['glue-stsb', 'train', 5749, 0, 5],
  ] as const)('%s %s: %i regression examples with scores in [%d, %d]', async (task, split, count, min, max) => {
    const examples = await load(task, split);
    expect(examples).toHaveLength(count);
    const scores = examples.map((e) => e.label);
    expect(Math.min(...scores)).toBe(min);
    expect(Math.max(...scores)).toBe(max);
  });

  it('reads KorSTS dev as glue-stsb (zero-shot Korean STS): 1,500 pairs, ids by line', async () => {
    const examples = (await loadSplit({ task: getTask('glue-stsb'), split: 'dev', file: sharedPath('kor-nlu', 'korsts-dev.tsv') })) as SentenceExample[];
    // counted with python: 1,500 rows of 7 fields below the header, scores 0.0–5.0
    expect(examples).toHaveLength(1500);
    expect(examples[0]).toEqual({ id: 'line-2', textA: '안전모를 가진 한 남자가 춤을 추고 있다.', textB: '안전모를 쓴 한 남자가 춤을 추고 있다.', label: 5 });
    expect(examples.at(-1)!.textA).toBe('새로운 비디오는 우리에게 경찰관들이 정신적으로 아픈 사람을 때리는 것을 보여준다');
    expect(examples.at(-1)!.label).toBe(0);
  });

  it('reads the first examples exactly (BOM stripped, quotes kept, CSV quoting undone)', async () => {
    const mrpc = await load('glue-mrpc', 'dev');
    expect(mrpc[0]).toEqual({
      id: '1355540_1355592',
      textA: "He said the foodservice pie business doesn't fit the company's long-term growth strategy.",
      textB: '"The foodservice pie business does not fit our long-term growth strategy.',
      label: 1,
    });
    const sts = await load('klue-sts', 'dev');
    // KLUE scores STS on the unrounded real-label (labels.label 4.9 is it rounded) and F1 of the binary label.
    expect(sts[0]).toMatchObject({ id: 'klue-sts-v1_dev_00000', textA: '무엇보다도 호스트분들이 너무 친절하셨습니다.', label: 4.857142857142857, binaryLabel: 1 });
    expect(sts.every((e) => (e as SentenceExample).binaryLabel === ((e as SentenceExample).label >= 3 ? 1 : 0))).toBe(true);
    const stsTrain = await load('klue-sts', 'train');
    const quoted = stsTrain.find((e) => e.textA.startsWith('긴급 고용안정지원금은'));
    expect(quoted?.textA).toContain('특별지원금, 지자체별');
    expect(quoted?.label).toBeCloseTo(0.5714285714285714, 15);
    const ynat = await load('klue-ynat', 'dev');
    expect(ynat[2]).toEqual({ id: 'ynat-v1_dev_00002', textA: '항응고제 성분 코로나19에 효과…세포실험서 확인', label: 0 });
  });

  it('reads KLUE NER dev: 5,000 sentences of characters with BIO tags', async () => {
    const task = getTask('klue-ner');
    const examples = (await loadSplit({ task, split: 'dev', dataDir: SHARED_DATA })) as NerExample[];
    expect(examples).toHaveLength(5000);
    expect(examples.every(isNerExample)).toBe(true);
    expect(examples.reduce((sum, e) => sum + e.chars.length, 0)).toBe(285929);
    const first = examples[0];
    expect(first.id).toBe('klue-ner-v1_dev_00000-wikitree');
    expect(first.chars.slice(0, 4).join('')).toBe('경찰은 ');
    expect(first.labels.slice(0, 4).map((l) => task.labels[l])).toEqual(['B-OG', 'I-OG', 'O', 'O']);
    const used = new Set(examples.flatMap((e) => e.labels.map((l) => task.labels[l])));
    expect([...used].sort()).toEqual([...task.labels].sort());
  });

  it('says the KLUE YNAT train split is missing and suggests cv mode', async () => {
    await expect(load('klue-ynat', 'train')).rejects.toThrow(/no train split of KLUE YNAT .*ynat-v1\.1_train\.json.*cv mode/);
  });
});

describe('loader errors (one line each)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eval-loaders-'));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it.each([
    ['malformed GLUE row (line number)', 'glue-sst2', 'bad.tsv', 'sentence\tlabel\ngood one \t1\nno label here\n', /bad\.tsv: line 3: expected 2 tab-separated fields \(sentence, label\), found 1$/, 'DATA_MALFORMED_ROW'],
    ['label not in the label set', 'glue-sst2', 'label.tsv', 'sentence\tlabel\nfine \t1\nodd \t2\n', /label\.tsv: line 3: label "2" is not in the GLUE SST-2 label set \(0, 1\)$/, 'DATA_UNKNOWN_LABEL'],
    ['empty split (header only)', 'glue-qnli', 'empty.tsv', 'index\tquestion\tsentence\tlabel\n', /empty\.tsv: the dev split of GLUE QNLI has no examples$/, 'DATA_EMPTY_SPLIT'],
    ['empty file', 'glue-qnli', 'nothing.tsv', '', /nothing\.tsv: the file is empty/, 'DATA_EMPTY_SPLIT'],
    ['missing column', 'glue-stsb', 'cols.tsv', 'index\tsentence1\tsentence2\n0\ta\tb\n', /cols\.tsv: line 1: header has no column "score"/, 'DATA_MALFORMED_ROW'],
    ['STS-B score not a number', 'glue-stsb', 'score.tsv', 'index\tsentence1\tsentence2\tscore\n0\ta\tb\tfive\n', /score\.tsv: line 2: score must be a number, found "five"$/, 'DATA_MALFORMED_ROW'],
    ['NLI label not in the label set', 'klue-nli', 'nli.json', JSON.stringify([{ guid: 'g0', premise: 'p', hypothesis: 'h', gold_label: 'maybe' }]), /nli\.json: item 0 \(guid g0\): label "maybe" is not in the KLUE NLI label set \(entailment, neutral, contradiction\)$/, 'DATA_UNKNOWN_LABEL'],
    ['YNAT item without a title', 'klue-ynat', 'ynat.json', JSON.stringify([{ guid: 'g0', label: '사회' }]), /item 0 \(guid g0\): field "title" must be a string$/, 'DATA_MALFORMED_ROW'],
    ['KLUE json empty array', 'klue-ynat', 'none.json', '[]', /none\.json: the dev split of KLUE YNAT has no examples$/, 'DATA_EMPTY_SPLIT'],
    ['NER tag not in the label set', 'klue-ner', 'ner.tsv', '## g0\t<a:PS>\n가\tB-PS\n나\tB-XX\n', /ner\.tsv: line 3: label "B-XX" is not in the KLUE NER label set/, 'DATA_UNKNOWN_LABEL'],
    ['NER line without a tag', 'klue-ner', 'ner2.tsv', '가\tO\n나\n', /ner2\.tsv: line 2: expected "<one character><TAB><BIO tag>", found "나"$/, 'DATA_MALFORMED_ROW'],
    ['STS csv with an unclosed quote', 'klue-sts', 'sts.csv', 'sentence1,sentence2,label\n"a,b,1\n', /sts\.csv: line 2: a quoted field is never closed$/, 'DATA_MALFORMED_ROW'],
    ['wrong format for the task', 'glue-sst2', 'sst.json', '[]', /GLUE SST-2 reads \.tsv files, not "\.json"$/, 'DATA_MALFORMED_ROW'],
  ] as const)('%s', async (_name, task, fileName, text, message, code) => {
    const file = write(fileName, text);
    const error = (await loadSplit({ task: getTask(task), split: 'dev', file }).then(
      () => undefined,
      (e: unknown) => e,
    )) as (Error & { code: string }) | undefined;
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(message);
    expect(error!.message).not.toContain('\n');
    expect(error!.code).toBe(code);
  });

  it('names the file that does not exist', async () => {
    await expect(loadSplit({ task: getTask('glue-sst2'), split: 'dev', file: path.join(dir, 'absent.tsv') })).rejects.toThrow(/absent\.tsv: file not found$/);
  });

  it('parses quoted CSV fields with commas, doubled quotes, newlines and CRLF', async () => {
    const file = write('quoted.csv', 'sentence1,sentence2,label\r\n"a, ""b""","c\nd",1.5\r\nplain,text,0\r\n');
    const examples = (await loadSplit({ task: getTask('klue-sts'), split: 'dev', file })) as SentenceExample[];
    expect(examples).toEqual([
      { id: 'line-2', textA: 'a, "b"', textB: 'c\nd', label: 1.5 },
      { id: 'line-4', textA: 'plain', textB: 'text', label: 0 },
    ]);
  });
});
