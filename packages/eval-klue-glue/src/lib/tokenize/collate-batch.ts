import { IGNORE_LABEL } from '../ner/align-char-labels';
import type { EncodedExample } from './encode-examples';

/** A padded batch as flat row-major arrays ([batch, seqLength]), ready for tf.tensor2d. */
export interface Batch {
  batchSize: number;
  seqLength: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
  /** Sequence tasks: [batch] labels (class index or score). */
  labels?: Float32Array;
  /** NER: [batch, seqLength] token labels, IGNORE_LABEL on padding. */
  tokenLabels?: Int32Array;
}

/** Pads a batch to its longest example (right padding with `padId`, attention mask 0 there). */
export function collateBatch(params: { examples: readonly EncodedExample[]; padId: number }): Batch {
  const { examples, padId } = params;
  const batchSize = examples.length;
  const seqLength = Math.max(1, ...examples.map((e) => e.inputIds.length));
  const inputIds = new Int32Array(batchSize * seqLength).fill(padId);
  const attentionMask = new Int32Array(batchSize * seqLength);
  const tokenTypeIds = new Int32Array(batchSize * seqLength);
  const isNer = examples.some((e) => e.tokenLabels !== undefined);
  const tokenLabels = isNer ? new Int32Array(batchSize * seqLength).fill(IGNORE_LABEL) : undefined;
  const labels = isNer ? undefined : new Float32Array(batchSize);
  examples.forEach((example, b) => {
    const row = b * seqLength;
    example.inputIds.forEach((id, t) => {
      inputIds[row + t] = id;
      attentionMask[row + t] = 1;
      tokenTypeIds[row + t] = example.tokenTypeIds[t];
    });
    if (tokenLabels && example.tokenLabels) example.tokenLabels.forEach((label, t) => (tokenLabels[row + t] = label));
    if (labels) labels[b] = example.label ?? 0;
  });
  return { batchSize, seqLength, inputIds, attentionMask, tokenTypeIds, ...(labels ? { labels } : {}), ...(tokenLabels ? { tokenLabels } : {}) };
}
