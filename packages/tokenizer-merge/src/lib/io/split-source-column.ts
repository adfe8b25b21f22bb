/**
 * A text source's path and its `#column` suffix: `data/ner.tsv#1` → `{ file: 'data/ner.tsv', column: '1' }` (a TSV/CSV
 * column by index from 0 or header name, a JSONL field, a parquet column). A `#` that starts the source or has a `/`
 * after it belongs to the path (`#drafts.txt`, `notes#2/a.txt`). Every reader of text sources splits them here.
 */
export function splitSourceColumn(source: string): { file: string; column?: string } {
  const hash = source.lastIndexOf('#');
  if (hash <= 0 || source.slice(hash + 1).includes('/')) return { file: source };
  return { file: source.slice(0, hash), column: source.slice(hash + 1) };
}
