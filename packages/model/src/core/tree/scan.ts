/**
 * The inner loop of the split search: one feature's rows of a node in value order, scanned
 * left to right with running sums, scoring each cut between values more than
 * FEATURE_THRESHOLD apart by sklearn's proxy Σ_L²/W_L + Σ_R²/W_R.
 */

/** Values closer than this are one value (sklearn's FEATURE_THRESHOLD). */
export const FEATURE_THRESHOLD = 1e-7;
const SCREEN_SLACK = 1 - 1e-9;

export interface ScanInput {
  /** The node's rows, sorted by this feature, in seg[start..end). */
  seg: Int32Array;
  /** The feature's column (by row id). */
  col: Float64Array;
  /** Weighted targets and weights by row id. */
  wy: Float64Array;
  w: Float64Array;
  start: number;
  end: number;
  /** The node's total weight and weighted target sum. */
  weight: number;
  sum: number;
  minSamplesLeaf: number;
}

// The two scans differ only in where the left weight comes from; separate functions keep
// each loop monomorphic and let the unit-weight one skip a memory read per row. Both use a
// division-free screen (sL²·wR + sR²·wL vs best·wL·wR, with slack for rounding); the exact
// proxy still decides, so the outcome is the plain comparison's, bit for bit. They return
// the best position (or -1) and leave the best proxy in `best.proxy`.

export function scanUnit(input: ScanInput, best: { proxy: number }): number {
  const { seg, col, wy, start, end, weight, sum } = input;
  const msl = input.minSamplesLeaf;
  const firstPos = start + msl;
  const lastPos = end - msl;
  let bestProxy = best.proxy;
  let bestPos = -1;
  let sL = 0;
  let vCur = col[seg[start] as number] as number;
  for (let j = start; j < lastPos; j++) {
    sL += wy[seg[j] as number] as number;
    const vNext = col[seg[j + 1] as number] as number;
    if (vNext > vCur + FEATURE_THRESHOLD && j + 1 >= firstPos) {
      const wL = j + 1 - start;
      const sR = sum - sL;
      const wR = weight - wL;
      if (sL * sL * wR + sR * sR * wL >= bestProxy * wL * wR * SCREEN_SLACK) {
        const proxy = (sL * sL) / wL + (sR * sR) / wR;
        if (proxy > bestProxy) {
          bestProxy = proxy;
          bestPos = j + 1;
        }
      }
    }
    vCur = vNext;
  }
  best.proxy = bestProxy;
  return bestPos;
}

export function scanWeighted(input: ScanInput, best: { proxy: number }): number {
  const { seg, col, w, wy, start, end, weight, sum } = input;
  const msl = input.minSamplesLeaf;
  const firstPos = start + msl;
  const lastPos = end - msl;
  let bestProxy = best.proxy;
  let bestPos = -1;
  let sL = 0;
  let wL = 0;
  let vCur = col[seg[start] as number] as number;
  for (let j = start; j < lastPos; j++) {
    const i = seg[j] as number;
    sL += wy[i] as number;
    wL += w[i] as number;
    const vNext = col[seg[j + 1] as number] as number;
    if (vNext > vCur + FEATURE_THRESHOLD && j + 1 >= firstPos) {
      const sR = sum - sL;
      const wR = weight - wL;
      if (sL * sL * wR + sR * sR * wL >= bestProxy * wL * wR * SCREEN_SLACK) {
        const proxy = (sL * sL) / wL + (sR * sR) / wR;
        if (proxy > bestProxy) {
          bestProxy = proxy;
          bestPos = j + 1;
        }
      }
    }
    vCur = vNext;
  }
  best.proxy = bestProxy;
  return bestPos;
}
