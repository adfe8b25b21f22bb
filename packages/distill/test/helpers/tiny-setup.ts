import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BertModel, type BertConfig } from '@koenbert/bert';
import { SeededRng } from '@koenbert/tensor-utils';
import { mergeVocabsIter } from '@koenbert/tokenizer-merge';

/**
 * A tiny synthetic English/Korean pair for training tests (no shared data needed): two WordPiece vocabs (~100 and
 * ~120 tokens) whose words make up seeded random sentences, the merged tokenizer built by tokenizer-merge, random
 * teachers (H 32, L 2, 2 heads) and a merged-vocab student, all written as HF folders.
 */
const EN_WORDS = (
  'the a of and to in is was for on that with as by at from it his her they we you he she this be are not have ' +
  'city river school people music water garden winter summer morning light house road story ship sea king book'
).split(' ');
const KO_WORDS = '학교 사람 오늘 날씨 좋다 서울 바다 음악 친구 가족 도시 강물 겨울 여름 아침 빛 집 길 이야기 배 왕 책 나무 하늘'.split(' ');
const KO_PARTICLES = '은 는 이 가 을 를 에 에서 의 와 과 도'.split(' ');

export const TINY_BERT: Partial<BertConfig> = {
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 64,
  max_position_embeddings: 64,
  type_vocab_size: 2,
};

function englishVocab(): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  return [...new Set(['[PAD]', '[unused0]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', ',', ...letters, ...letters.map((l) => `##${l}`), ...EN_WORDS])];
}

function koreanVocab(): string[] {
  const syllables = [...new Set([...KO_WORDS, ...KO_PARTICLES].join('').split(''))];
  return [...new Set(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', ',', ...syllables, ...syllables.map((s) => `##${s}`), ...KO_WORDS, ...KO_PARTICLES])];
}

function sentences(rng: SeededRng, count: number, make: () => string): string[] {
  return Array.from({ length: count }, make);
}

async function writeTokenizer(dir: string, vocab: string[], lowercase: boolean): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'vocab.txt'), `${vocab.join('\n')}\n`);
  await fs.writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: lowercase, tokenize_chinese_chars: true, strip_accents: null }));
}

const TOKENIZER_FILES = ['vocab.txt', 'tokenizer_config.json', 'tokenizer.json', 'special_tokens_map.json', 'merge-map.json'];

async function copyTokenizer(from: string, to: string): Promise<void> {
  const present = new Set(await fs.readdir(from));
  for (const file of TOKENIZER_FILES) if (present.has(file)) await fs.copyFile(path.join(from, file), path.join(to, file));
}

export interface TinySetup {
  root: string;
  enText: string;
  koText: string;
  mergedDir: string;
  teacherEn: string;
  teacherKo: string;
  /** Random merged-vocab student (seed 3). */
  student: string;
  /** The Korean teacher's weights in a merged-vocab BertForMaskedLM (new rows random). */
  studentCopyOfKo: string;
  koreanVocabSize: number;
  mergedVocabSize: number;
}

export async function makeTinySetup(root: string): Promise<TinySetup> {
  const rng = new SeededRng(2024);
  const pick = <T>(items: T[]) => items[rng.int(items.length)];
  const enLines = sentences(rng, 300, () => {
    const words = Array.from({ length: 3 + rng.int(10) }, () => pick(EN_WORDS));
    return `${words.join(' ')}${rng.int(2) ? ' .' : ' , ' + pick(EN_WORDS)}`;
  });
  const koLines = sentences(rng, 300, () => Array.from({ length: 2 + rng.int(7) }, () => pick(KO_WORDS) + (rng.int(2) ? pick(KO_PARTICLES) : '')).join(' ') + ' .');
  const enText = path.join(root, 'text', 'en.txt');
  const koText = path.join(root, 'text', 'ko.txt');
  await fs.mkdir(path.dirname(enText), { recursive: true });
  await fs.writeFile(enText, `${enLines.join('\n')}\n`);
  await fs.writeFile(koText, `${koLines.join('\n')}\n`);

  const enTok = path.join(root, 'tok-en');
  const koTok = path.join(root, 'tok-ko');
  await writeTokenizer(enTok, englishVocab(), true);
  await writeTokenizer(koTok, koreanVocab(), false);
  const mergedDir = path.join(root, 'merged');
  for await (const event of mergeVocabsIter({ korean: koTok, english: enTok, output: mergedDir })) void event;
  const mergeMap = JSON.parse(await fs.readFile(path.join(mergedDir, 'merge-map.json'), 'utf8')) as { koreanVocabSize: number; mergedVocabSize: number };

  const save = async (model: BertModel, dir: string, tokenizerDir: string) => {
    await fs.mkdir(dir, { recursive: true });
    await model.savePretrained(dir);
    await copyTokenizer(tokenizerDir, dir);
    model.dispose();
  };
  // teachers drawn 10× wider than BERT's init so their relations are far from uniform (something to learn)
  const config = (vocab: number, initializerRange = 0.02) => ({ ...TINY_BERT, vocab_size: vocab, initializer_range: initializerRange }) as BertConfig;
  const teacherEn = path.join(root, 'teacher-en');
  const teacherKo = path.join(root, 'teacher-ko');
  const student = path.join(root, 'student');
  const studentCopyOfKo = path.join(root, 'student-copy-of-ko');
  await save(BertModel.create({ config: config(englishVocab().length, 0.2), task: 'masked-lm', seed: 1 }), teacherEn, enTok);
  await save(BertModel.create({ config: config(koreanVocab().length, 0.2), task: 'masked-lm', seed: 2 }), teacherKo, koTok);
  await save(BertModel.create({ config: config(mergeMap.mergedVocabSize), task: 'masked-lm', seed: 3 }), student, mergedDir);
  const copy = await BertModel.fromPretrained(teacherKo, { task: 'masked-lm' });
  copy.resizeTokenEmbeddings(mergeMap.mergedVocabSize);
  await save(copy, studentCopyOfKo, mergedDir);
  return { root, enText, koText, mergedDir, teacherEn, teacherKo, student, studentCopyOfKo, koreanVocabSize: mergeMap.koreanVocabSize, mergedVocabSize: mergeMap.mergedVocabSize };
}
