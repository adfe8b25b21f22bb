import { packSequence, type AlignedTokens, type PackerState, type SpecialIds } from '../src/lib/data/packing';

const specials: SpecialIds = { cls: { teacher: 101, student: 2 }, sep: { teacher: 102, student: 3 } };

/** Documents whose teacher ids are 1000 + k and student ids 5000 + k (so alignment is checkable). */
function docs(lengths: number[]): AlignedTokens[] {
  let next = 0;
  return lengths.map((length) => {
    const ids = Array.from({ length }, () => next++);
    return { teacherIds: ids.map((i) => 1000 + i), studentIds: ids.map((i) => 5000 + i) };
  });
}

async function packAll(params: { lengths: number[]; maxLength: number; packing: boolean; count: number }) {
  const queue = docs(params.lengths);
  let state: PackerState = { pending: null };
  const sequences: AlignedTokens[] = [];
  for (let i = 0; i < params.count; i++) {
    const result = await packSequence({ pull: async () => queue.shift()!, state, maxLength: params.maxLength, packing: params.packing, specials });
    sequences.push(result.sequence);
    state = result.state;
  }
  return { sequences, state, left: queue.length };
}

const T = (k: number) => 1000 + k;

describe('packSequence', () => {
  it.each([
    // [doc lengths, maxLength, expected teacher sequences]
    ['two short documents share a sequence', [2, 3], 8, [[101, T(0), T(1), 102, T(2), T(3), T(4), 102]]],
    ['a document that does not fit is cut and continues', [4, 6], 8, [[101, T(0), T(1), T(2), T(3), 102, T(4), 102], [101, T(5), T(6), T(7), T(8), T(9), 102]]],
    ['an empty document is skipped', [0, 3, 1], 7, [[101, T(0), T(1), T(2), 102, T(3), 102]]],
  ] as const)('%s', async (_name, lengths, maxLength, expected) => {
    const { sequences } = await packAll({ lengths: [...lengths], maxLength, packing: true, count: expected.length });
    expect(sequences.map((s) => s.teacherIds)).toEqual(expected);
    for (const s of sequences) {
      expect(s.teacherIds.length).toBeLessThanOrEqual(maxLength);
      // student ids line up with teacher ids position by position
      expect(s.studentIds).toEqual(s.teacherIds.map((id) => (id === 101 ? 2 : id === 102 ? 3 : id + 4000)));
    }
  });

  it('keeps every token exactly once across sequences when packing long documents', async () => {
    const lengths = [50, 3, 17, 1, 90, 5];
    const total = lengths.reduce((a, b) => a + b, 0);
    const { sequences, state } = await packAll({ lengths: [...lengths, 1000], maxLength: 16, packing: true, count: 14 });
    const content = sequences.flatMap((s) => s.teacherIds.filter((id) => id >= 1000));
    expect(content.slice(0, total)).toEqual(Array.from({ length: total }, (_, k) => T(k)));
    expect(sequences.every((s) => s.teacherIds.length >= 15)).toBe(true);
    expect(state.pending).not.toBeNull();
  });

  it('without packing makes one [CLS] doc [SEP] per document, truncated', async () => {
    const { sequences, state } = await packAll({ lengths: [2, 10], maxLength: 6, packing: false, count: 2 });
    expect(sequences.map((s) => s.teacherIds)).toEqual([
      [101, T(0), T(1), 102],
      [101, T(2), T(3), T(4), T(5), 102],
    ]);
    expect(state.pending).toBeNull();
  });

  it('rejects a max length below 3', async () => {
    await expect(packAll({ lengths: [1], maxLength: 2, packing: true, count: 1 })).rejects.toThrow(/maxLength must be an integer ≥ 3/);
  });
});
