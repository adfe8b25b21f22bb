/** An entity span [start, end) of one type in a tag sequence. */
export interface EntitySpan {
  type: string;
  start: number;
  end: number;
}

function splitTag(tag: string): { prefix: string; type: string } {
  if (tag === 'O' || tag.length < 2 || tag[1] !== '-') return { prefix: tag === 'O' ? 'O' : tag, type: '' };
  return { prefix: tag[0], type: tag.slice(2) };
}

/**
 * Entities of an IOB2 tag sequence in seqeval's strict mode: an entity is a `B-X` followed by the
 * longest run of `I-X`. An `I-X` that does not continue an entity of type X (sentence start, after `O`,
 * after another type) starts nothing and is not part of any entity.
 */
export function extractEntities(tags: readonly string[]): EntitySpan[] {
  const spans: EntitySpan[] = [];
  let current: EntitySpan | null = null;
  for (let i = 0; i < tags.length; i++) {
    const { prefix, type } = splitTag(tags[i]);
    if (current && prefix === 'I' && type === current.type) {
      current.end = i + 1;
      continue;
    }
    if (current) spans.push(current);
    current = prefix === 'B' && type !== '' ? { type, start: i, end: i + 1 } : null;
  }
  if (current) spans.push(current);
  return spans;
}
