import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LANGUAGE_TOKENIZER_FILES } from '../language-tokenizer-json';
import { MERGE_MAP_FILE, type MergeMap } from '../merge-map';
import { MERGE_REPORT_FILE, type MergeReport } from '../merge-report';
import type { TokenizerSpec } from '../tokenizer-spec';

/** merge-map.json with one entry per line (5 MB for an 80k vocab, still diff- and grep-friendly). */
export function mergeMapToJson(map: MergeMap): string {
  const head = { format: map.format, koreanVocabSize: map.koreanVocabSize, englishVocabSize: map.englishVocabSize, mergedVocabSize: map.mergedVocabSize, added: map.added };
  const fields = Object.entries(head).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  const entries = map.entries.map((entry) => `    ${JSON.stringify(entry)}`).join(',\n');
  return `{\n${fields.join(',\n')},\n  "entries": [\n${entries}\n  ]\n}\n`;
}

/**
 * transformers' tokenizer_config.json for the merged tokenizer. The merged normalizer (accents stripped then NFC,
 * ASCII capitals kept in texts with Hangul) is not one of BertTokenizer's do_lower_case / strip_accents settings, so
 * the folder names the generic fast class, which runs tokenizer.json exactly (`AutoTokenizer` loads it with or
 * without use_fast), and carries no BertTokenizer flags that would describe another normalizer.
 */
export function mergedTokenizerConfig(spec: TokenizerSpec): Record<string, unknown> {
  const { specialTokens } = spec;
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    unk_token: specialTokens.unk,
    sep_token: specialTokens.sep,
    pad_token: specialTokens.pad,
    cls_token: specialTokens.cls,
    mask_token: specialTokens.mask,
    model_max_length: spec.modelMaxLength ?? 512,
    clean_up_tokenization_spaces: true,
  };
}

export function specialTokensMap(spec: TokenizerSpec): Record<string, string> {
  const { unk, sep, pad, cls, mask } = spec.specialTokens;
  const map: Record<string, string> = { unk_token: unk, sep_token: sep, cls_token: cls };
  if (pad !== null) map.pad_token = pad;
  if (mask !== null) map.mask_token = mask;
  return map;
}

/** Writes the merged tokenizer folder's files into `dir` (a temp folder that writeDirAtomic renames). */
export async function writeMergedTokenizer(params: {
  dir: string;
  spec: TokenizerSpec;
  tokenizerJson: string;
  /** tokenizer-ko.json and tokenizer-en.json (languageTokenizerJson). */
  languageTokenizers: { ko: string; en: string };
  mergeMap: MergeMap;
  report: MergeReport;
}): Promise<string[]> {
  const files: Array<[string, string]> = [
    ['tokenizer.json', params.tokenizerJson],
    [LANGUAGE_TOKENIZER_FILES.ko, params.languageTokenizers.ko],
    [LANGUAGE_TOKENIZER_FILES.en, params.languageTokenizers.en],
    ['vocab.txt', `${params.spec.vocab.join('\n')}\n`],
    ['tokenizer_config.json', `${JSON.stringify(mergedTokenizerConfig(params.spec), null, 2)}\n`],
    ['special_tokens_map.json', `${JSON.stringify(specialTokensMap(params.spec), null, 2)}\n`],
    [MERGE_MAP_FILE, mergeMapToJson(params.mergeMap)],
    [MERGE_REPORT_FILE, `${JSON.stringify(params.report, null, 2)}\n`],
  ];
  for (const [name, content] of files) await fs.writeFile(path.join(params.dir, name), content);
  return files.map(([name]) => name);
}
