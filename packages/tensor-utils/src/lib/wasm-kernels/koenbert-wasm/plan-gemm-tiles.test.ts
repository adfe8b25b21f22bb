import { MAX_STRIP_COLUMNS, planGemmTiles } from './plan-gemm-tiles';

/** How many tiles cover each output element (must be exactly one everywhere). */
function coverage(params: { batches: number; m: number; n: number; threads: number }): Uint8Array {
  const { batches, m, n } = params;
  const counts = new Uint8Array(batches * m * n);
  for (const tile of planGemmTiles(params)) {
    expect(tile.i0).toBeLessThan(tile.i1);
    expect(tile.j0).toBeLessThan(tile.j1);
    expect(tile.j1 - tile.j0).toBeLessThanOrEqual(MAX_STRIP_COLUMNS);
    for (let i = tile.i0; i < tile.i1; i++) for (let j = tile.j0; j < tile.j1; j++) counts[(tile.batch * m + i) * n + j]++;
  }
  return counts;
}

describe('planGemmTiles', () => {
  it.each([
    [1, 1024, 8000, 2],
    [1, 1024, 256, 2],
    [32, 128, 128, 2],
    [3, 37, 19, 4],
    [1, 5, 1, 8],
    [1, 1, 1, 1],
    [2, 1000, 513, 3],
  ])('%i batches of %i x %i on %i threads: every element in exactly one tile', (batches, m, n, threads) => {
    expect(coverage({ batches, m, n, threads }).every((count) => count === 1)).toBe(true);
  });

  it('on one thread: one tile per batch and column strip, strips of equal width (a multiple of 8) but the last', () => {
    const tiles = planGemmTiles({ batches: 2, m: 1024, n: 8000, threads: 1 });
    expect(tiles).toHaveLength(2 * 16);
    expect(tiles.every((tile) => tile.i0 === 0 && tile.i1 === 1024)).toBe(true);
    expect(tiles[0].j1 - tiles[0].j0).toBe(504);
    expect(tiles[15].j1).toBe(8000);
  });

  it('splits rows (in multiples of 4) only as far as needed to give each thread about 3 tiles', () => {
    const tiles = planGemmTiles({ batches: 1, m: 1024, n: 256, threads: 2 });
    expect(tiles).toHaveLength(6);
    expect(tiles.slice(0, -1).every((tile) => (tile.i1 - tile.i0) % 4 === 0)).toBe(true);
    // Many batches already give every thread enough tiles: no row split.
    expect(planGemmTiles({ batches: 32, m: 128, n: 128, threads: 2 })).toHaveLength(32);
    // Fewer than 32 rows per part are never made: packing a B strip would cost more than the part's products.
    expect(planGemmTiles({ batches: 1, m: 40, n: 64, threads: 8 })).toHaveLength(1);
  });
});
