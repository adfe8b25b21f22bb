import type { Encoding } from 'tokenizers';
import { alignCharLabels } from '../ner/align-char-labels';
import type { NerExample, SentenceExample, TaskExample } from '../tasks/examples';
import { isNerExample } from '../tasks/examples';
import type { LoadedTokenizer } from './load-tokenizer';

/** Model inputs of one example (unpadded). */
export interface EncodedExample {
  /** The example's id in its split (guid, index or line), written to the predictions file. */
  id: string;
  inputIds: number[];
  tokenTypeIds: number[];
  /** Sequence tasks: the class index or score. */
  label?: number;
  /** KLUE STS: the official binary label. */
  binaryLabel?: number;
  /** NER: one label per token (IGNORE_LABEL for tokens the loss skips). */
  tokenLabels?: number[];
  /** NER: what maps token predictions back to characters. */
  alignment?: { numChars: number; offsets: number[][]; tokenStartChar: number[]; charLabels: number[]; chars: string[] };
}

async function encodeOne(loaded: LoadedTokenizer, example: SentenceExample): Promise<Encoding> {
  return example.textB === undefined ? loaded.tokenizer.encode(example.textA) : loaded.tokenizer.encode(example.textA, example.textB);
}

/**
 * Tokenizes examples with the model's tokenizer (truncated to its maxLength). Sentence pairs are encoded
 * as `[CLS] a [SEP] b [SEP]` with token type ids 0/1; NER sentences carry token labels aligned through offsets.
 */
export async function encodeExamples(params: { tokenizer: LoadedTokenizer; examples: readonly TaskExample[] }): Promise<EncodedExample[]> {
  const { tokenizer, examples } = params;
  const encoded: EncodedExample[] = [];
  const chunk = 256;
  for (let start = 0; start < examples.length; start += chunk) {
    const part = examples.slice(start, start + chunk);
    const encodings = await Promise.all(
      part.map((example) => (isNerExample(example) ? tokenizer.tokenizer.encode(example.chars.join('')) : encodeOne(tokenizer, example))),
    );
    part.forEach((example, i) => {
      const encoding = encodings[i];
      const base = { id: example.id, inputIds: encoding.getIds(), tokenTypeIds: encoding.getTypeIds() };
      if (!isNerExample(example)) {
        encoded.push({ ...base, label: example.label, ...(example.binaryLabel !== undefined ? { binaryLabel: example.binaryLabel } : {}) });
        return;
      }
      encoded.push({ ...base, ...nerFields(example, encoding) });
    });
  }
  return encoded;
}

function nerFields(example: NerExample, encoding: Encoding): Pick<EncodedExample, 'tokenLabels' | 'alignment'> {
  const offsets = encoding.getOffsets();
  const { tokenLabels, tokenStartChar } = alignCharLabels({ offsets, sequenceIds: encoding.getSequenceIds(), charLabels: example.labels });
  return { tokenLabels, alignment: { numChars: example.chars.length, offsets, tokenStartChar, charLabels: example.labels, chars: example.chars } };
}
