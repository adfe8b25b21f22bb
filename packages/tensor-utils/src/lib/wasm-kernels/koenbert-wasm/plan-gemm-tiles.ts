/** One block of a batched product: output batch `batch`, rows i0..i1, columns j0..j1 (half-open). */
export interface GemmTile {
  batch: number;
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

/** Widest column strip one gemm_block call packs (its packed B slice, 256 deep, stays within a core's L2). */
export const MAX_STRIP_COLUMNS = 512;
const MICRO_ROWS = 4;
const MICRO_COLUMNS = 8;
/** Fewest rows worth a tile of their own: below this the packing of the B strip dominates. */
const MIN_TILE_ROWS = 32;
/** Tiles per thread that let the threads finish together when tiles differ in cost. */
const TILES_PER_THREAD = 3;

/**
 * Splits out[batches, m, n] into blocks for `threads` threads: columns into strips of at most MAX_STRIP_COLUMNS,
 * and rows into parts only as far as needed to give every thread a few tiles. Every output element is in exactly one
 * tile, and its value does not depend on the split (each tile sums over all of K in the same order).
 */
export function planGemmTiles(params: { batches: number; m: number; n: number; threads: number }): GemmTile[] {
  const { batches, m, n, threads } = params;
  const strips = Math.ceil(n / MAX_STRIP_COLUMNS);
  const stripWidth = roundUp(Math.ceil(n / strips), MICRO_COLUMNS);
  const wanted = threads > 1 ? TILES_PER_THREAD * threads : 1;
  const rowParts = Math.max(1, Math.min(Math.ceil(wanted / (batches * strips)), Math.floor(m / MIN_TILE_ROWS)));
  const partRows = roundUp(Math.ceil(m / rowParts), MICRO_ROWS);
  const tiles: GemmTile[] = [];
  for (let batch = 0; batch < batches; batch++) {
    for (let i0 = 0; i0 < m; i0 += partRows) {
      for (let j0 = 0; j0 < n; j0 += stripWidth) {
        tiles.push({ batch, i0, i1: Math.min(m, i0 + partRows), j0, j1: Math.min(n, j0 + stripWidth) });
      }
    }
  }
  return tiles;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
