/**
 * The reference side, prepared once: numerical columns sorted with their std, distinct count
 * and PSI bins; categorical columns counted. A long-running monitor prepares the model's
 * reference when it loads the model and reuses it for every window.
 */
import { quantileBinEdges } from '@wine/model';
import { DriftError } from './errors';
import { sharesInBins } from './stats/binned';
import { distinctCount, populationStd, sortedSample } from './stats/sorted';

export type ColumnKind = 'numerical' | 'categorical';
/** Features count towards dataset drift with the prediction and target, as in Evidently. */
export type ColumnRole = 'feature' | 'prediction' | 'target';

/** A stored, binned description of a numerical column (model.json's reference profile). */
export interface QuantileProfile {
  readonly count: number;
  readonly std: number;
  /** Percentiles at 0, 1/(k−1), …, 1 (model.json stores 101: every percent). */
  readonly quantiles: readonly number[];
  /** PSI bins: inner right-closed cut points and the reference share of each bin. */
  readonly edges: readonly number[];
  readonly proportions: readonly number[];
}

export type ReferenceColumnInput =
  | { readonly kind: 'numerical'; readonly role?: ColumnRole; readonly values: ArrayLike<number> }
  | { readonly kind: 'numerical'; readonly role?: ColumnRole; readonly profile: QuantileProfile }
  | { readonly kind: 'categorical'; readonly role?: ColumnRole; readonly values: readonly string[] }
  | {
      readonly kind: 'categorical';
      readonly role?: ColumnRole;
      readonly shares: Readonly<Record<string, number>>;
      readonly count: number;
    };

export interface ReferenceInput {
  readonly columns: Readonly<Record<string, ReferenceColumnInput>>;
  /** Equal-frequency PSI bins per numerical column (default 10, deciles). */
  readonly psiBins?: number;
  /** Where the reference came from, reported with every result ("model sample", a path …). */
  readonly source?: string;
}

export interface PreparedNumerical {
  readonly kind: 'numerical';
  readonly role: ColumnRole;
  /** Rows the reference stands for (a profile's count; the sample size otherwise). */
  readonly rows: number;
  readonly sorted: Float64Array;
  readonly std: number;
  readonly distinct: number;
  readonly psiEdges: Float64Array;
  readonly psiShares: Float64Array;
  /** Reconstructed from a profile's quantiles: scores are approximations. */
  readonly approximate: boolean;
}

export interface PreparedCategorical {
  readonly kind: 'categorical';
  readonly role: ColumnRole;
  readonly rows: number;
  readonly counts: ReadonlyMap<string, number>;
  readonly approximate: boolean;
}

export type PreparedColumn = PreparedNumerical | PreparedCategorical;

export interface PreparedReference {
  readonly columns: ReadonlyMap<string, PreparedColumn>;
  /** Rows of the feature columns (the largest column when they differ). */
  readonly rows: number;
  readonly approximate: boolean;
  readonly source: string;
}

/** Points of a pseudo-sample rebuilt from a profile (NannyML keeps 10,000 for its references). */
const PROFILE_SAMPLE_POINTS = 10_000;

/**
 * The quantile function through the stored percentiles, at m even steps: linear between
 * percentiles, but exponential in the outer two intervals — a straight line from the 99th
 * percentile to the maximum would spread the top 1 % evenly up to one extreme value and
 * inflate distances on long-tailed columns (chlorides, sulphates). The tail scale puts the
 * maximum at the rank it has in a sample of `count` rows.
 */
function sampleFromQuantiles(quantiles: readonly number[], m: number, count: number): Float64Array {
  const k = quantiles.length - 1;
  const tail = 1 / k;
  const q = (i: number): number => quantiles[i] as number;
  const logSpan = Math.log(Math.max(2, 2 * tail * count));
  const upperScale = (q(k) - q(k - 1)) / logSpan;
  const lowerScale = (q(1) - q(0)) / logSpan;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const p = m === 1 ? 0.5 : i / (m - 1);
    let v: number;
    if (k >= 3 && p > 1 - tail) {
      v = p >= 1 ? q(k) : Math.min(q(k), q(k - 1) + upperScale * Math.log(tail / (1 - p)));
    } else if (k >= 3 && p < tail) {
      v = p <= 0 ? q(0) : Math.max(q(0), q(1) - lowerScale * Math.log(tail / p));
    } else {
      const pos = p * k;
      const lo = Math.min(Math.floor(pos), k - 1);
      v = q(lo) + (pos - lo) * (q(lo + 1) - q(lo));
    }
    out[i] = v;
  }
  return out;
}

function prepareNumerical(
  name: string,
  input: Extract<ReferenceColumnInput, { kind: 'numerical' }>,
  bins: number,
): PreparedNumerical {
  const role = input.role ?? 'feature';
  if ('profile' in input) {
    const p = input.profile;
    if (p.quantiles.length < 2 || p.count < 1 || p.proportions.length !== p.edges.length + 1) {
      throw new DriftError(
        'DRIFT_REFERENCE_INVALID',
        `column "${name}": the stored profile needs ≥ 2 quantiles, a count and one share per bin`,
      );
    }
    const sorted = sampleFromQuantiles(
      p.quantiles,
      Math.min(p.count, PROFILE_SAMPLE_POINTS),
      p.count,
    );
    return {
      kind: 'numerical',
      role,
      rows: p.count,
      sorted,
      std: p.std,
      distinct: distinctCount(sorted),
      psiEdges: Float64Array.from(p.edges),
      psiShares: Float64Array.from(p.proportions),
      approximate: true,
    };
  }
  if (input.values.length === 0) {
    throw new DriftError('DRIFT_EMPTY_SAMPLE', `reference column "${name}" has no values`);
  }
  const sorted = sortedSample(input.values, name);
  const edges = Float64Array.from(quantileBinEdges(sorted, bins));
  return {
    kind: 'numerical',
    role,
    rows: sorted.length,
    sorted,
    std: populationStd(sorted),
    distinct: distinctCount(sorted),
    psiEdges: edges,
    psiShares: sharesInBins(sorted, edges),
    approximate: false,
  };
}

export function countLabels(values: ArrayLike<unknown>, column: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string') {
      throw new DriftError(
        'DRIFT_VALUE_INVALID',
        `column "${column}" row ${i}: categorical values are strings, got ${typeof v}`,
      );
    }
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

function prepareCategorical(
  name: string,
  input: Extract<ReferenceColumnInput, { kind: 'categorical' }>,
): PreparedCategorical {
  const role = input.role ?? 'feature';
  if ('shares' in input) {
    const counts = new Map<string, number>();
    for (const [label, share] of Object.entries(input.shares)) {
      if (share > 0) counts.set(label, share * input.count);
    }
    if (counts.size === 0 || !(input.count > 0)) {
      throw new DriftError('DRIFT_REFERENCE_INVALID', `column "${name}": no category shares`);
    }
    return { kind: 'categorical', role, rows: input.count, counts, approximate: false };
  }
  if (input.values.length === 0) {
    throw new DriftError('DRIFT_EMPTY_SAMPLE', `reference column "${name}" has no values`);
  }
  return {
    kind: 'categorical',
    role,
    rows: input.values.length,
    counts: countLabels(input.values, name),
    approximate: false,
  };
}

export function prepareReference(input: ReferenceInput): PreparedReference {
  const bins = input.psiBins ?? 10;
  if (!Number.isInteger(bins) || bins < 2) {
    throw new DriftError('DRIFT_OPTIONS_INVALID', `psiBins must be an integer ≥ 2, got ${bins}`);
  }
  const columns = new Map<string, PreparedColumn>();
  const roles = new Map<ColumnRole, string>();
  for (const [name, column] of Object.entries(input.columns)) {
    const role = column.role ?? 'feature';
    if (role !== 'feature') {
      const other = roles.get(role);
      if (other !== undefined) {
        throw new DriftError(
          'DRIFT_REFERENCE_INVALID',
          `two ${role} columns ("${other}", "${name}"): there is one of each at most`,
        );
      }
      roles.set(role, name);
    }
    columns.set(
      name,
      column.kind === 'numerical'
        ? prepareNumerical(name, column, bins)
        : prepareCategorical(name, column),
    );
  }
  const features = [...columns.values()].filter((c) => c.role === 'feature');
  if (features.length === 0) {
    throw new DriftError('DRIFT_REFERENCE_INVALID', 'the reference has no feature columns');
  }
  return {
    columns,
    rows: Math.max(...features.map((c) => c.rows)),
    approximate: [...columns.values()].some((c) => c.approximate),
    source: input.source ?? 'reference',
  };
}
