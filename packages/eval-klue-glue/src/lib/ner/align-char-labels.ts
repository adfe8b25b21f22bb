/** Label that the loss ignores (PyTorch's CrossEntropyLoss ignore_index convention). */
export const IGNORE_LABEL = -100;

/**
 * Character labels → WordPiece token labels through the tokens' character offsets. Each character is
 * claimed by the first token that starts on it, and that token carries the character's label; every
 * other token — special tokens, and further pieces of a character the normaliser split (NFD jamo of an
 * uncased vocab) — gets IGNORE_LABEL. A token spanning several characters carries its first character's label.
 * `tokenStartChar[t]` is the character token t claimed, or -1.
 */
export function alignCharLabels(params: {
  /** Per token [start, end) in characters (code points) of the sentence; special tokens have sequenceId null. */
  offsets: ReadonlyArray<readonly [number, number] | readonly number[]>;
  sequenceIds: ReadonlyArray<number | null | undefined>;
  charLabels: readonly number[];
}): { tokenLabels: number[]; tokenStartChar: number[] } {
  const { offsets, sequenceIds, charLabels } = params;
  const claimed = new Uint8Array(charLabels.length);
  const tokenLabels: number[] = [];
  const tokenStartChar: number[] = [];
  for (let t = 0; t < offsets.length; t++) {
    const start = offsets[t][0];
    const end = offsets[t][1];
    if (sequenceIds[t] === null || sequenceIds[t] === undefined || end <= start || start >= charLabels.length || claimed[start]) {
      tokenLabels.push(IGNORE_LABEL);
      tokenStartChar.push(-1);
      continue;
    }
    claimed[start] = 1;
    tokenLabels.push(charLabels[start]);
    tokenStartChar.push(start);
  }
  return { tokenLabels, tokenStartChar };
}
