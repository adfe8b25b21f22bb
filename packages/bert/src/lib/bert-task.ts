export const BERT_TASKS = ['base', 'masked-lm', 'sequence-classification', 'token-classification'] as const;
export type BertTask = (typeof BERT_TASKS)[number];

/** The transformers class whose state dict (and `architectures` entry) each task matches. */
export const ARCHITECTURE: Record<BertTask, string> = {
  base: 'BertModel',
  'masked-lm': 'BertForMaskedLM',
  'sequence-classification': 'BertForSequenceClassification',
  'token-classification': 'BertForTokenClassification',
};

/** Prefix of the encoder's parameters: the head classes hold the BertModel as `bert`. */
export function encoderPrefix(task: BertTask): string {
  return task === 'base' ? '' : 'bert.';
}

/** transformers builds BertForMaskedLM and BertForTokenClassification with `add_pooling_layer=False`. */
export function hasPooler(task: BertTask): boolean {
  return task === 'base' || task === 'sequence-classification';
}

export function hasClassifier(task: BertTask): boolean {
  return task === 'sequence-classification' || task === 'token-classification';
}
