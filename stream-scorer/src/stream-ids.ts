/** Redis stream ids ("<ms>-<seq>"): their time and their order. */

/** The ms part of a Redis stream id ("1718000000000-3" → 1718000000000). */
export function idTimeMs(id: string): number | undefined {
  const dash = id.indexOf('-');
  const ms = Number(dash < 0 ? id : id.slice(0, dash));
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

/** Orders Redis stream ids ("ms-seq") numerically. */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  if (am !== bm) return Number(am) < Number(bm) ? -1 : 1;
  if (as === bs) return 0;
  return BigInt(as) < BigInt(bs) ? -1 : 1;
}

/** Smallest and largest id of a non-empty list. */
export function idRange(ids: readonly string[]): { min: string; max: string } {
  let min = ids[0] as string;
  let max = min;
  for (const id of ids) {
    if (compareIds(id, min) < 0) min = id;
    if (compareIds(id, max) > 0) max = id;
  }
  return { min, max };
}
