/** Redis stream ids ("<ms>-<seq>"): their time and their order. */

/** The ms part of a Redis stream id ("1718000000000-3" → 1718000000000). */
export function idTimeMs(id: string): number | undefined {
  const dash = id.indexOf('-');
  const ms = Number(dash < 0 ? id : id.slice(0, dash));
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

/**
 * Orders Redis stream ids ("ms-seq") numerically, on the strings: both parts are decimal
 * without leading zeros, so a longer part is larger and equal lengths compare as text. (It
 * runs for every id of every commit; splitting and parsing showed up in profiles.)
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const ad = a.indexOf('-');
  const bd = b.indexOf('-');
  const ams = ad < 0 ? a : a.slice(0, ad);
  const bms = bd < 0 ? b : b.slice(0, bd);
  const byMs = compareDecimal(ams, bms);
  if (byMs !== 0) return byMs;
  return compareDecimal(ad < 0 ? '0' : a.slice(ad + 1), bd < 0 ? '0' : b.slice(bd + 1));
}

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
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
