import { promises as fs } from 'node:fs';
import { parquetMetadata, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { dataError } from '../../io/data-error';
import type { NerExample, SentenceExample, TaskExample } from '../examples';
import { binaryValue, scoreValue } from '../label-value';
import type { TaskName, TaskSpec } from '../task-registry';

type Row = Record<string, unknown>;

interface HfColumns {
  textA: string;
  textB?: string;
  /** Label column; `a.b` reads field `b` of struct column `a`. */
  label: string;
  /** Read where `label` is absent (older exports). */
  fallbackLabel?: string;
  /** KLUE STS's binary label (scored by F1). */
  binaryLabel?: string;
  id: string;
}

/** Column names of the Hugging Face `klue` (klue/klue) and `glue` (nyu-mll/glue) datasets. */
const COLUMNS: Record<Exclude<TaskName, 'klue-ner'>, HfColumns> = {
  'klue-ynat': { textA: 'title', label: 'label', id: 'guid' },
  // KLUE scores Pearson on the annotators' unrounded mean (real-label); labels.label is it rounded to one decimal.
  'klue-sts': { textA: 'sentence1', textB: 'sentence2', label: 'labels.real-label', fallbackLabel: 'labels.label', binaryLabel: 'labels.binary-label', id: 'guid' },
  'klue-nli': { textA: 'premise', textB: 'hypothesis', label: 'label', id: 'guid' },
  'glue-mrpc': { textA: 'sentence1', textB: 'sentence2', label: 'label', id: 'idx' },
  'glue-stsb': { textA: 'sentence1', textB: 'sentence2', label: 'label', id: 'idx' },
  'glue-sst2': { textA: 'sentence', label: 'label', id: 'idx' },
  'glue-qnli': { textA: 'question', textB: 'sentence', label: 'label', id: 'idx' },
};

/**
 * Examples from parquet shards of a Hugging Face datasets split (read with hyparquet; uncompressed and
 * snappy pages, the codec `datasets` writes). Class labels are stored as ClassLabel indices; the names in the
 * file's `huggingface` schema metadata map them onto the task's label set (by name, or by position where
 * the dataset names them differently, e.g. GLUE's `not_equivalent`/`equivalent` for MRPC's 0/1).
 */
export async function readHfParquet(params: { task: TaskSpec; files: string[] }): Promise<TaskExample[]> {
  const examples: TaskExample[] = [];
  for (const file of params.files) {
    const bytes = await fs.readFile(file).catch((error: unknown) => {
      throw dataError({ code: 'DATA_FILE_NOT_FOUND', file, message: 'cannot read the parquet file', cause: error });
    });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    let metadata: FileMetaData;
    let rows: Row[];
    try {
      metadata = parquetMetadata(buffer);
      rows = (await parquetReadObjects({ file: buffer, metadata })) as Row[];
    } catch (error) {
      throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `not a readable parquet file (${(error as Error).message})`, cause: error });
    }
    const features = readFeatures(metadata);
    for (let index = 0; index < rows.length; index++) {
      const where = { file, item: `row ${index}` };
      examples.push(
        params.task.name === 'klue-ner'
          ? toNerExample({ task: params.task, row: rows[index], features, ...where })
          : toSentenceExample({ task: params.task, row: rows[index], features, ...where }),
      );
    }
  }
  return examples;
}

/** `info.features` of the `huggingface` key-value metadata that `datasets` writes (empty when absent). */
function readFeatures(metadata: FileMetaData): Row {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === 'huggingface');
  if (!entry?.value) return {};
  try {
    const parsed = JSON.parse(entry.value) as { info?: { features?: Row } };
    return parsed.info?.features ?? {};
  } catch {
    return {};
  }
}

/** ClassLabel names of a feature (`{ names }`, or `{ feature: { names } }` for a sequence of labels). */
function classNames(feature: unknown): string[] | undefined {
  if (typeof feature !== 'object' || feature === null) return undefined;
  const record = feature as Row;
  if (Array.isArray(record.names)) return record.names as string[];
  return classNames(record.feature);
}

function toClassIndex(params: { task: TaskSpec; value: unknown; names?: string[]; file: string; item: string }): number {
  const { task, names, file, item } = params;
  const index = typeof params.value === 'bigint' ? Number(params.value) : params.value;
  const labelSet = task.labels.join(', ');
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw dataError({
      code: 'DATA_UNKNOWN_LABEL',
      file,
      message: `${item}: label ${JSON.stringify(String(params.value))} is not a class index of ${task.title} (${labelSet}); unlabelled splits cannot be scored`,
    });
  }
  if (!names) {
    if (index < task.labels.length) return index;
  } else if (index < names.length) {
    const byName = task.labels.indexOf(names[index]);
    if (byName >= 0) return byName;
    if (names.length === task.labels.length) return index;
  }
  const shown = names && index < names.length ? `"${names[index]}" (${index})` : String(index);
  throw dataError({ code: 'DATA_UNKNOWN_LABEL', file, message: `${item}: label ${shown} is not in the ${task.title} label set (${labelSet})` });
}

function readColumn(row: Row, column: string): unknown {
  const [head, field] = column.split('.');
  const value = row[head];
  if (field === undefined) return value;
  return typeof value === 'object' && value !== null ? (value as Row)[field] : undefined;
}

function toSentenceExample(params: { task: TaskSpec; row: Row; features: Row; file: string; item: string }): SentenceExample {
  const { task, row, features, file, item } = params;
  const columns = COLUMNS[task.name as Exclude<TaskName, 'klue-ner'>];
  const text = (column: string): string => {
    const value = row[column];
    if (typeof value !== 'string') throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `${item}: column "${column}" must be a string` });
    return value;
  };
  const labelColumn = readColumn(row, columns.label) === undefined && columns.fallbackLabel ? columns.fallbackLabel : columns.label;
  const rawLabel = readColumn(row, labelColumn);
  const label =
    task.kind === 'regression'
      ? scoreValue({ value: rawLabel, field: labelColumn, file, item })
      : toClassIndex({ task, value: rawLabel, names: classNames(features[labelColumn]), file, item });
  const rawBinary = columns.binaryLabel ? readColumn(row, columns.binaryLabel) : undefined;
  return {
    id: String(row[columns.id] ?? item),
    textA: text(columns.textA),
    ...(columns.textB ? { textB: text(columns.textB) } : {}),
    label,
    ...(rawBinary !== undefined ? { binaryLabel: binaryValue({ value: rawBinary, field: columns.binaryLabel!, file, item }) } : {}),
  };
}

function toNerExample(params: { task: TaskSpec; row: Row; features: Row; file: string; item: string }): NerExample {
  const { task, row, features, file, item } = params;
  const tokens = row.tokens;
  const tags = row.ner_tags;
  if (!Array.isArray(tokens) || !Array.isArray(tags) || tokens.length !== tags.length) {
    throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `${item}: "tokens" and "ner_tags" must be lists of equal length` });
  }
  const names = classNames(features.ner_tags);
  const chars = tokens.map((token) => String(token));
  if (chars.some((char) => [...char].length !== 1)) {
    throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `${item}: KLUE NER "tokens" must be single characters` });
  }
  return {
    id: String(row.guid ?? item),
    chars,
    labels: tags.map((value) => toClassIndex({ task, value, names, file, item })),
  };
}
