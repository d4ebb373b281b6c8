/**
 * Binned comparisons of numerical samples: PSI on fixed reference-quantile bins (prepared
 * once from the reference, so a long-running monitor never re-bins it) and the Sturges
 * histogram Evidently's Jensen–Shannon uses for a numerical column (numpy's
 * histogram_bin_edges(ref ∪ cur, "sturges") + histogram with explicit edges).
 */
import { searchSorted } from './sorted';

/**
 * Evidently's zero fill (utils.get_binned_data): empty bins get m/10⁶ when the smallest
 * non-empty share m ≤ 0.0001, else 0.0001. Applied to each array on its own, no renormalising.
 */
export function fillZeroShares(shares: Float64Array): Float64Array {
  let m = Number.POSITIVE_INFINITY;
  for (const s of shares) if (s !== 0 && s < m) m = s;
  if (m === Number.POSITIVE_INFINITY) return shares;
  const fill = m <= 0.0001 ? m / 1e6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

/** Σ (ref − cur) · ln(ref / cur) over zero-filled shares. */
export function populationStabilityIndex(reference: Float64Array, current: Float64Array): number {
  const r = fillZeroShares(reference);
  const c = fillZeroShares(current);
  let psi = 0;
  for (let i = 0; i < r.length; i++) {
    const a = r[i] as number;
    const b = c[i] as number;
    psi += (a - b) * Math.log(a / b);
  }
  return psi;
}

/**
 * Shares of a sorted sample in right-closed bins (−∞, e₀], (e₀, e₁], …, (e_last, ∞): the bin of
 * x is the number of edges strictly below x (@wine/model's binIndex rule).
 */
export function sharesInBins(sorted: Float64Array, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as number;
    while (b < edges.length && (edges[b] as number) < v) b++;
    counts[b] = (counts[b] as number) + 1;
  }
  const n = sorted.length;
  return counts.map((c) => c / n);
}

/** numpy.histogram_bin_edges(concat(a, b), bins="sturges") for two sorted, non-empty samples. */
export function sturgesEdges(a: Float64Array, b: Float64Array): Float64Array {
  const n = a.length + b.length;
  const lo = Math.min(a[0] as number, b[0] as number);
  const hi = Math.max(a[a.length - 1] as number, b[b.length - 1] as number);
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (hi - lo) / (Math.log2(n) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** numpy.histogram(sorted, edges)[0] / len: half-open bins, the last one closed. */
export function histogramShares(sorted: Float64Array, edges: Float64Array): Float64Array {
  const k = edges.length - 1;
  const shares = new Float64Array(k);
  let prev = searchSorted(sorted, edges[0] as number, 'left');
  for (let i = 1; i <= k; i++) {
    const cum = searchSorted(sorted, edges[i] as number, i === k ? 'right' : 'left');
    shares[i - 1] = (cum - prev) / sorted.length;
    prev = cum;
  }
  return shares;
}
