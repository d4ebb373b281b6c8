/**
 * Reference-vs-current distributions of each column, for people to look at (the HTML
 * report): equal-width bins over the range both samples span (0.5–99.5 % quantiles), or the
 * shares of each label — and of each value, for a numerical column with few values.
 */
import type { CurrentColumns } from './detect';
import { countLabels, type PreparedColumn, type PreparedReference } from './reference';

export type ColumnHistogram =
  | {
      readonly kind: 'numerical';
      /** bins + 1 ascending edges; the last bin includes its right edge. */
      readonly edges: readonly number[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    }
  | {
      readonly kind: 'categorical';
      readonly labels: readonly string[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    };

/** Numerical columns with at most this many distinct values are drawn one bar per value. */
const DISCRETE_VALUES = 12;

function binShares(values: ArrayLike<number>, lo: number, width: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = width > 0 ? Math.floor(((values[i] as number) - lo) / width) : 0;
    const k = Math.min(bins - 1, Math.max(0, b));
    counts[k] = (counts[k] as number) + 1;
  }
  return counts.map((c) => (values.length > 0 ? c / values.length : 0));
}

function histogramOf(
  column: PreparedColumn,
  values: ArrayLike<unknown>,
  bins: number,
): ColumnHistogram {
  if (column.kind === 'categorical') {
    const current = countLabels(values, 'current');
    const labels = [...new Set([...column.counts.keys(), ...current.keys()])].sort();
    const share = (counts: ReadonlyMap<string, number>, total: number) =>
      labels.map((l) => (total > 0 ? (counts.get(l) ?? 0) / total : 0));
    let refTotal = 0;
    for (const c of column.counts.values()) refTotal += c;
    return {
      kind: 'categorical',
      labels,
      reference: share(column.counts, refTotal),
      current: share(current, values.length),
    };
  }
  const numbers = Float64Array.from(values as ArrayLike<number>).sort();
  const counts = (sorted: Float64Array): Map<number, number> => {
    const m = new Map<number, number>();
    for (const v of sorted) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };
  if (column.distinct <= DISCRETE_VALUES) {
    const ref = counts(column.sorted);
    const cur = counts(numbers);
    const keys = [...new Set([...ref.keys(), ...cur.keys()])].sort((a, b) => a - b);
    if (keys.length <= DISCRETE_VALUES) {
      // A few values (quality scores, tree predictions): one bar per value reads better.
      return {
        kind: 'categorical',
        labels: keys.map(String),
        reference: keys.map((k) => (ref.get(k) ?? 0) / column.sorted.length),
        current: keys.map((k) => (numbers.length > 0 ? (cur.get(k) ?? 0) / numbers.length : 0)),
      };
    }
  }
  // The range both samples span without their extreme 0.5 % tails, so one outlier does not
  // squash the picture; values beyond fall into the edge bins.
  const q = (sorted: Float64Array, p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  let lo = q(column.sorted, 0.005);
  let hi = q(column.sorted, 0.995);
  if (numbers.length > 0) {
    lo = Math.min(lo, q(numbers, 0.005));
    hi = Math.max(hi, q(numbers, 0.995));
  }
  const width = (hi - lo) / bins;
  return {
    kind: 'numerical',
    edges: Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width)),
    reference: binShares(column.sorted, lo, width, bins),
    current: binShares(numbers, lo, width, bins),
  };
}

/** One histogram per reference column present in `current` (default 30 bins). */
export function columnHistograms(
  reference: PreparedReference,
  current: CurrentColumns,
  bins = 30,
): Record<string, ColumnHistogram> {
  const out: Record<string, ColumnHistogram> = {};
  for (const [name, column] of reference.columns) {
    const values = current[name];
    if (values !== undefined) out[name] = histogramOf(column, values, bins);
  }
  return out;
}
