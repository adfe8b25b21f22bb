/** One sentence (or sentence pair) with a class index (classification) or a score (regression). */
export interface SentenceExample {
  id: string;
  textA: string;
  textB?: string;
  /** Index into the task's labels, or the gold score for regression tasks. */
  label: number;
  /** KLUE STS: the official binary label (1 = paraphrase), scored by F1 beside Pearson. */
  binaryLabel?: number;
}

/** One KLUE NER sentence: characters (Unicode code points) and one BIO label index per character. */
export interface NerExample {
  id: string;
  chars: string[];
  labels: number[];
}

export type TaskExample = SentenceExample | NerExample;

export function isNerExample(example: TaskExample): example is NerExample {
  return (example as NerExample).chars !== undefined;
}
