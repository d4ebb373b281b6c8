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

/** The best cut so far, across the features of a node. */
export interface ScanBest {
  proxy: number;
  /**
   * Set by a scan that found no better cut: the first position whose proxy equals
   * `proxy` exactly (a cut as good as the best, which the feature visiting order decides
   * between), else -1. The depth family needs it; the plain builder ignores it.
   */
  tiePos: number;
}

export function scanUnit(input: ScanInput, best: ScanBest): number {
  const { seg, col, wy, start, end, weight, sum } = input;
  const firstPos = start + input.minSamplesLeaf;
  const lastPos = end - input.minSamplesLeaf;
  let bestProxy = best.proxy;
  let bestPos = -1;
  let tiePos = -1;
  let sL = 0;
  let j = start;
  // Cuts left of firstPos would leave too few rows on the left: only accumulate.
  for (; j < firstPos - 1; j++) sL += wy[seg[j] as number] as number;
  let iNext = seg[j] as number;
  let vCur = col[iNext] as number;
  // The screen's bound, kept with the best proxy (the slack dwarfs the rounding of the order).
  let bound = bestProxy * SCREEN_SLACK;
  for (; j < lastPos; j++) {
    sL += wy[iNext] as number;
    iNext = seg[j + 1] as number;
    const vNext = col[iNext] as number;
    const wL = j + 1 - start;
    const sR = sum - sL;
    const wR = weight - wL;
    // Both tests as 0/1 ANDed together: one well-predicted branch instead of two that are not.
    const pass =
      +(vNext > vCur + FEATURE_THRESHOLD) & +(sL * sL * wR + sR * sR * wL >= bound * wL * wR);
    if (pass !== 0) {
      const proxy = (sL * sL) / wL + (sR * sR) / wR;
      if (proxy > bestProxy) {
        bestProxy = proxy;
        bound = bestProxy * SCREEN_SLACK;
        bestPos = j + 1;
      } else if (proxy === bestProxy && tiePos < 0) {
        tiePos = j + 1;
      }
    }
    vCur = vNext;
  }
  best.proxy = bestProxy;
  best.tiePos = bestPos < 0 ? tiePos : -1;
  return bestPos;
}

export function scanWeighted(input: ScanInput, best: ScanBest): number {
  const { seg, col, w, wy, start, end, weight, sum } = input;
  const firstPos = start + input.minSamplesLeaf;
  const lastPos = end - input.minSamplesLeaf;
  let bestProxy = best.proxy;
  let bestPos = -1;
  let tiePos = -1;
  let sL = 0;
  let wL = 0;
  let j = start;
  for (; j < firstPos - 1; j++) {
    const i = seg[j] as number;
    sL += wy[i] as number;
    wL += w[i] as number;
  }
  let iNext = seg[j] as number;
  let vCur = col[iNext] as number;
  let bound = bestProxy * SCREEN_SLACK;
  for (; j < lastPos; j++) {
    sL += wy[iNext] as number;
    wL += w[iNext] as number;
    iNext = seg[j + 1] as number;
    const vNext = col[iNext] as number;
    const sR = sum - sL;
    const wR = weight - wL;
    const pass =
      +(vNext > vCur + FEATURE_THRESHOLD) & +(sL * sL * wR + sR * sR * wL >= bound * wL * wR);
    if (pass !== 0) {
      const proxy = (sL * sL) / wL + (sR * sR) / wR;
      if (proxy > bestProxy) {
        bestProxy = proxy;
        bound = bestProxy * SCREEN_SLACK;
        bestPos = j + 1;
      } else if (proxy === bestProxy && tiePos < 0) {
        tiePos = j + 1;
      }
    }
    vCur = vNext;
  }
  best.proxy = bestProxy;
  best.tiePos = bestPos < 0 ? tiePos : -1;
  return bestPos;
}
