// Seeded train subsets written once and shared by every model (the same examples for every row).
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** mulberry32: a small seeded generator; the subset only needs to be fixed and reproducible, not the eval's RNG. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `limit` of `items` chosen uniformly without replacement, kept in file order. */
function pick(items, limit, seed) {
  const random = generator(seed);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, limit).sort((a, b) => a - b).map((i) => items[i]);
}

export const SeededSubset = {
  /** The text of a subset file: a .tsv keeps its header line, a .json array keeps its JSON form. */
  of({ file, limit, seed }) {
    const text = readFileSync(file, 'utf8');
    if (path.extname(file) === '.json') return `${JSON.stringify(pick(JSON.parse(text), limit, seed))}\n`;
    const [header, ...rows] = text.split('\n').filter((line) => line.length > 0);
    return `${[header, ...pick(rows, limit, seed)].join('\n')}\n`;
  },
};
