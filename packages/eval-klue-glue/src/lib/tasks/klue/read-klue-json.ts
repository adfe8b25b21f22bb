import { dataError } from '../../io/data-error';
import { readTextFile } from '../../io/read-text-file';
import type { SentenceExample } from '../examples';
import { binaryValue, classIndex, scoreValue } from '../label-value';
import type { TaskSpec } from '../task-registry';

type Item = Record<string, unknown>;

/**
 * A KLUE json file (a JSON array of objects):
 * - YNAT: `guid`, `title`, `label` (topic name);
 * - STS: `guid`, `sentence1`, `sentence2`, `labels.real-label` (0–5, the annotators' unrounded mean; `labels.label`,
 *   rounded to one decimal, where it is absent) and `labels.binary-label` — KLUE scores Pearson on the real label;
 * - NLI: `guid`, `premise`, `hypothesis`, `gold_label`.
 */
export async function readKlueJson(params: { task: TaskSpec; file: string }): Promise<SentenceExample[]> {
  const { task, file } = params;
  const text = await readTextFile(file);
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (error) {
    throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `not valid JSON (${(error as Error).message})`, cause: error });
  }
  if (!Array.isArray(items)) throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: 'expected a JSON array of examples' });
  return items.map((raw, index) => toExample({ task, file, index, raw }));
}

function toExample(params: { task: TaskSpec; file: string; index: number; raw: unknown }): SentenceExample {
  const { task, file, index, raw } = params;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `item ${index} is not an object` });
  }
  const item = raw as Item;
  const id = typeof item.guid === 'string' ? item.guid : String(index);
  const where = { file, item: `item ${index} (guid ${id})` };
  const text = (field: string): string => {
    const value = item[field];
    if (typeof value !== 'string') {
      throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `${where.item}: field "${field}" must be a string` });
    }
    return value;
  };
  switch (task.name) {
    case 'klue-ynat':
      return { id, textA: text('title'), label: classIndex({ task, value: text('label'), ...where }) };
    case 'klue-nli':
      return { id, textA: text('premise'), textB: text('hypothesis'), label: classIndex({ task, value: text('gold_label'), ...where }) };
    case 'klue-sts': {
      const labels = (typeof item.labels === 'object' && item.labels !== null ? item.labels : {}) as Item;
      const field = labels['real-label'] !== undefined ? 'real-label' : 'label';
      const binary = labels['binary-label'];
      return {
        id,
        textA: text('sentence1'),
        textB: text('sentence2'),
        label: scoreValue({ value: labels[field], field: `labels.${field}`, ...where }),
        ...(binary !== undefined ? { binaryLabel: binaryValue({ value: binary, field: 'labels.binary-label', ...where }) } : {}),
      };
    }
    default:
      throw dataError({ code: 'DATA_MALFORMED_ROW', file, message: `${task.title} has no KLUE json format` });
  }
}
