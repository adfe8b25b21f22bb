import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KoenbertError, listRepoFiles, type HubOptions } from '@koenbert/tensor-utils';
import { splitSourceColumn } from '@koenbert/tokenizer-merge';

export type CorpusFormat = 'text' | 'jsonl' | 'tsv' | 'parquet';

/** One file of a corpus, with how to get text out of each of its records. */
export interface CorpusFile {
  /** The source string it came from (for errors). */
  source: string;
  format: CorpusFormat;
  gzip: boolean;
  /** Local path, or the path inside a Hub dataset repo when `repo` is set. */
  path: string;
  /** Hub dataset id for files fetched on first read (resolveModelDir). */
  repo?: string;
  /** JSONL field, TSV column (index or header name) or parquet column holding the text. */
  field?: string;
}

const HUB_PREFIX = 'hf:';

/** Format of a file name, or undefined when it is not a corpus file. */
export function corpusFormatOf(file: string): { format: CorpusFormat; gzip: boolean } | undefined {
  const gzip = file.endsWith('.gz');
  const name = gzip ? file.slice(0, -3) : file;
  const extension = path.extname(name).toLowerCase();
  if (extension === '.txt') return { format: 'text', gzip };
  if (extension === '.jsonl') return { format: 'jsonl', gzip };
  if (extension === '.tsv') return { format: 'tsv', gzip };
  if (extension === '.parquet' && !gzip) return { format: 'parquet', gzip };
  return undefined;
}

const SUPPORTED = '.txt, .jsonl, .tsv (each optionally .gz) or .parquet';

/**
 * The files of one corpus source, in a fixed (sorted) order:
 * - a local file or folder (every corpus file below it): `data/en.txt`, `data/wiki.jsonl.gz#text`, `data/ner.tsv#1`;
 * - a Hugging Face dataset's parquet files: `hf:wikimedia/wikipedia/20231101.ko#text` (folder and column optional;
 *   the default column is `text`). Parquet files are listed now and downloaded when the stream reaches them.
 * `#field` names the JSONL field, TSV column (index from 0 or header name) or parquet column; default `text`
 * (JSONL, parquet) or 0 (TSV).
 */
export async function listCorpusFiles(params: { source: string; hub?: HubOptions }): Promise<CorpusFile[]> {
  const { file: target, column: field } = splitSourceColumn(params.source);
  if (target.startsWith(HUB_PREFIX)) {
    const parts = target.slice(HUB_PREFIX.length).split('/').filter((part) => part.length > 0);
    if (parts.length < 2) {
      throw new KoenbertError({ code: 'CORPUS_SOURCE', message: `${params.source}: expected hf:<owner>/<dataset>[/<folder>][#column]` });
    }
    const repo = `${parts[0]}/${parts[1]}`;
    const folder = parts.length > 2 ? parts.slice(2).join('/') : undefined;
    const files = await listRepoFiles({ repoOrPath: repo, repoType: 'dataset', folder, ...params.hub });
    const parquet = files.filter((file) => file.path.endsWith('.parquet'));
    if (parquet.length === 0) {
      throw new KoenbertError({ code: 'CORPUS_EMPTY', message: `${params.source}: the dataset has no .parquet files${folder ? ` under ${folder}` : ''}` });
    }
    return parquet.map((file) => ({ source: params.source, format: 'parquet', gzip: false, path: file.path, repo, field }));
  }
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) throw new KoenbertError({ code: 'CORPUS_NOT_FOUND', file: target, message: 'corpus file or folder not found' });
  if (stat.isFile()) {
    const kind = corpusFormatOf(target);
    if (!kind) throw new KoenbertError({ code: 'CORPUS_FORMAT', file: target, message: `unsupported corpus file (expected ${SUPPORTED})` });
    return [{ source: params.source, ...kind, path: target, field }];
  }
  const files: CorpusFile[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else {
        const kind = corpusFormatOf(entry.name);
        if (kind) files.push({ source: params.source, ...kind, path: full, field });
      }
    }
  };
  await visit(target);
  if (files.length === 0) throw new KoenbertError({ code: 'CORPUS_EMPTY', file: target, message: `no corpus files (${SUPPORTED}) in this folder` });
  return files;
}
