import { KoenbertError } from '@koenbert/tensor-utils';
import type { BertConfig } from './bert-config';
import type { LoadReport } from './map-checkpoint';

/**
 * Parameters a checkpoint may lack: the task heads (`classifier.*`, `cls.predictions.*`) — transformers creates them
 * fresh too. The pooler may be absent only as a whole (BertForMaskedLM and BertForTokenClassification are saved
 * without one, so every MLM-pretrained checkpoint lacks it); half a pooler is a damaged file.
 */
function mayBeFresh(name: string, missing: ReadonlySet<string>): boolean {
  if (name.startsWith('classifier.') || name.startsWith('cls.')) return true;
  const pooler = /^(bert\.)?pooler\.dense\.(weight|bias)$/.exec(name);
  if (!pooler) return false;
  const prefix = pooler[1] ?? '';
  return missing.has(`${prefix}pooler.dense.weight`) && missing.has(`${prefix}pooler.dense.bias`);
}

/** Embeddings and encoder layers: a checkpoint tensor of these that the model does not use means the folder is not the model its config describes. */
function isEncoderTensor(name: string): boolean {
  const bare = name.startsWith('bert.') ? name.slice('bert.'.length) : name;
  return bare.startsWith('embeddings.') || bare.startsWith('encoder.');
}

function layerIndices(names: Iterable<string>): number[] {
  const layers = new Set<number>();
  for (const name of names) {
    const match = /(?:^|\.)encoder\.layer\.(\d+)\./.exec(name);
    if (match) layers.add(Number(match[1]));
  }
  return [...layers].sort((a, b) => a - b);
}

/** At most `limit` names, then how many more: keeps the error on one readable line. */
function listNames(names: readonly string[], limit = 4): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}

function layerSpan(layers: readonly number[]): string {
  if (layers.length === 0) return 'no encoder layers';
  const contiguous = layers.every((layer, i) => layer === layers[0] + i);
  return contiguous ? `layers ${layers[0]}–${layers[layers.length - 1]}` : `layers ${layers.join(', ')}`;
}

/**
 * The strict part of loading, shared by every stage through `BertModel.fromPretrained`: a folder must hold exactly
 * the model its config.json describes. Fails (one line naming the weight file and the tensors) when
 * - an embedding or encoder tensor the config needs is missing (it would otherwise be initialised at random and the
 *   model scored as if it were the checkpoint),
 * - config.json's num_hidden_layers disagrees with the layers the weights hold (either way),
 * - the weights hold embedding/encoder tensors the model does not use,
 * - a loaded weight is NaN or ±Infinity.
 * Task heads (classifier, MLM head) and a pooler absent as a whole may be missing; they are created fresh and listed
 * in `report.missing`.
 */
export function checkPretrainedWeights(params: {
  report: LoadReport;
  values: ReadonlyMap<string, Float32Array>;
  /** Names of every tensor in the checkpoint (as stored). */
  checkpointNames: Iterable<string>;
  config: BertConfig;
  configFile: string;
}): void {
  const { report, values, config, configFile } = params;
  const file = report.file;
  const fail = (code: string, message: string): never => {
    throw new KoenbertError({ code, file, message });
  };
  const missingSet = new Set(report.missing);
  const missingEncoder = report.missing.filter((name) => !mayBeFresh(name, missingSet));
  const unusedEncoder = report.unexpected.filter(isEncoderTensor);
  const stored = layerIndices(params.checkpointNames);
  const expected = config.num_hidden_layers;
  const layersAgree = stored.length === expected && stored.every((layer, i) => layer === i);
  if ((missingEncoder.length > 0 || unusedEncoder.length > 0) && !layersAgree && stored.length > 0) {
    fail(
      'CHECKPOINT_LAYERS_MISMATCH',
      `${configFile} has num_hidden_layers = ${expected} but the weights hold ${layerSpan(stored)} (${stored.length} layers)`,
    );
  }
  if (missingEncoder.length > 0) {
    fail('CHECKPOINT_INCOMPLETE', `missing encoder tensors ${listNames(missingEncoder)} (only task heads may be absent; nothing was initialised in their place)`);
  }
  if (unusedEncoder.length > 0) {
    fail('CHECKPOINT_UNUSED_TENSORS', `encoder tensors ${listNames(unusedEncoder)} are not part of the model ${configFile} describes`);
  }
  const nonFinite: string[] = [];
  for (const [name, data] of values) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        // the first bad element of each tensor, so that a single corrupted value can be found
        nonFinite.push(`${name} (element ${i}: ${data[i]})`);
        break;
      }
    }
  }
  if (nonFinite.length > 0) fail('WEIGHTS_NOT_FINITE', `non-finite values (NaN or ±Infinity) in ${listNames(nonFinite)}`);
}
