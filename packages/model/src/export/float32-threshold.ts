/**
 * Split thresholds for float32 inputs. Our scorer compares float64 values, ONNX runtimes
 * compare the float32 input tensor: `fround(x) <= t32` must decide like `x <= t64` for the
 * values data actually holds.
 *
 * Why rounding to nearest is not enough: a threshold is the float64 midpoint of two training
 * values, and on data recorded to a few decimals it often lands within float64 noise of
 * another data value (0.16 and 0.18 give 0.16999999999999998, one ulp below the data value
 * 0.17, which our scorer sends right). fround(0.17) equals fround(0.16999999999999998), so a
 * rounded threshold would send 0.17 left.
 *
 * The rule: let c = fround(t64). Doubles in c's float32 bucket are indistinguishable after the
 * cast, so exactly one side of t64 can be honoured inside the bucket; honour the side of the
 * shortest decimal that rounds to c, which is where measured data sits. If that decimal is
 * above t64 the float32 threshold is the float32 just below c, else c. Guarantee: every value
 * written with at most 6 significant digits branches as in float64 (distinct 6-digit decimals
 * never share a float32, FLT_DIG = 6, so each bucket holds at most one of them and it is the
 * shortest decimal of c); values outside c's bucket branch correctly by monotonicity.
 */
import { ModelError } from '../errors';

const scratch = new DataView(new ArrayBuffer(4));

/** The largest float32 strictly below the float32 value `c`. */
export function previousFloat32(c: number): number {
  if (c === 0) return -1.401298464324817e-45; // -(smallest subnormal)
  scratch.setFloat32(0, c);
  const bits = scratch.getUint32(0);
  scratch.setUint32(0, c > 0 ? bits - 1 : bits + 1);
  return scratch.getFloat32(0);
}

/** The double nearest to the shortest decimal that rounds (as double, then float32) to `c`. */
export function shortestDecimalOfFloat32(c: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(c.toPrecision(digits));
    if (Math.fround(candidate) === c) return candidate;
  }
  return c; // 9 significant digits always round-trip a float32
}

/** A float32 threshold that sends data values the way the float64 threshold does. */
export function float32Threshold(threshold: number): number {
  const c = Math.fround(threshold);
  if (!Number.isFinite(c)) {
    throw new ModelError(
      'MODEL_INVALID',
      `split threshold ${threshold} is outside the float32 range; the model cannot be exported to ONNX`,
    );
  }
  return shortestDecimalOfFloat32(c) > threshold ? previousFloat32(c) : c;
}

/** A data value that would take another branch in float32 than in float64. */
export interface BranchMismatch {
  readonly tree: number;
  readonly node: number;
  readonly feature: number;
  readonly threshold: number;
  readonly float32Threshold: number;
  readonly value: number;
}

function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every (split, data value) pair where `fround(x) <= float32Threshold(t)` disagrees with
 * `x <= t`: the proof, over a dataset, that an ONNX runtime branches like our scorer. Only
 * values next to each threshold can disagree (fround is monotonic), so each split costs a
 * binary search.
 */
export function float32BranchMismatches(
  trees: ReadonlyArray<{
    readonly feature: ArrayLike<number>;
    readonly threshold: ArrayLike<number>;
  }>,
  x: { readonly data: Float64Array; readonly rows: number; readonly cols: number },
): BranchMismatch[] {
  const distinct: Float64Array[] = [];
  for (let f = 0; f < x.cols; f++) {
    const column = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) column[r] = x.data[r * x.cols + f] as number;
    distinct.push(Float64Array.from(new Set(column.sort())));
  }
  const mismatches: BranchMismatch[] = [];
  trees.forEach((tree, t) => {
    for (let i = 0; i < tree.feature.length; i++) {
      const feature = tree.feature[i] as number;
      if (feature < 0) continue;
      const threshold = tree.threshold[i] as number;
      const t32 = float32Threshold(threshold);
      const values = distinct[feature] as Float64Array;
      const first = upperBound(values, threshold);
      const report = (value: number): void => {
        mismatches.push({ tree: t, node: i, feature, threshold, float32Threshold: t32, value });
      };
      for (let k = first - 1; k >= 0 && Math.fround(values[k] as number) > t32; k--) {
        report(values[k] as number);
      }
      for (let k = first; k < values.length && Math.fround(values[k] as number) <= t32; k++) {
        report(values[k] as number);
      }
    }
  });
  return mismatches;
}
