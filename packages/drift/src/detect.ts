/**
 * Drift of a current window against a prepared reference: per column the method Evidently
 * would pick (or the configured one), its score and verdict; then the dataset verdict
 * (share of drifted columns ≥ driftShare). Below `minRows` current rows every column is
 * "not enough data" — never drift — because small windows are the top source of false alarms.
 */
import { DriftError } from './errors';
import {
  DEFAULT_THRESHOLDS,
  METHOD_SCORE,
  NUMERICAL_METHODS,
  resolveDriftOptions,
  type DriftMethod,
  type DriftOptions,
  type ResolvedDriftOptions,
} from './options';
import {
  countLabels,
  type ColumnKind,
  type ColumnRole,
  type PreparedCategorical,
  type PreparedColumn,
  type PreparedNumerical,
  type PreparedReference,
} from './reference';
import {
  histogramShares,
  populationStabilityIndex,
  sharesInBins,
  sturgesEdges,
} from './stats/binned';
import {
  chiSquareTest,
  jensenShannonDistance,
  sharesOverUnion,
  zTest,
  type Counts,
} from './stats/categorical';
import { ksAsymptoticPValue } from './stats/ks';
import { compareSorted, sortedSample, valueCounts } from './stats/sorted';

/** One column's result: the JSON contract of `drift --json` and the monitor. */
export interface ColumnDrift {
  readonly method: DriftMethod;
  /** p-value for a test, distance for a distance (as Evidently reports drift_score); null without enough data. */
  readonly score: number | null;
  /** The test statistic (KS D, chi², z); null for distances and when infinite. */
  readonly statistic: number | null;
  readonly threshold: number;
  readonly drifted: boolean;
}

export interface DriftReport {
  readonly status: 'ok' | 'not_enough_data';
  readonly rows_reference: number;
  readonly rows_current: number;
  readonly min_rows: number;
  /** `approximate` when the reference was rebuilt from a binned profile instead of a sample. */
  readonly reference: { readonly source: string; readonly approximate: boolean };
  readonly dataset_drift: boolean;
  /** Drifted columns / tested columns (features, prediction and target, as Evidently counts). */
  readonly drift_share: number;
  readonly drift_share_threshold: number;
  readonly drifted_columns: number;
  readonly columns_tested: number;
  readonly features: Readonly<Record<string, ColumnDrift>>;
  readonly prediction: ColumnDrift | null;
  readonly target?: ColumnDrift;
  readonly warnings: readonly string[];
}

/** Current window, column by column: numbers for numerical columns, labels for categorical. */
export type CurrentColumns = Readonly<Record<string, ArrayLike<number> | readonly string[]>>;

/** Evidently's automatic choice (registry._get_default_stattest). */
export function autoMethod(
  kind: ColumnKind,
  referenceRows: number,
  distinct: number,
  smallReferenceRows: number,
): DriftMethod {
  const small = referenceRows <= smallReferenceRows;
  if (kind === 'numerical' && distinct > 5) return small ? 'ks' : 'wasserstein';
  if (!small) return 'jensenshannon';
  return distinct > 2 ? 'chisquare' : 'z';
}

function chooseMethod(
  name: string,
  column: PreparedColumn,
  distinct: number,
  options: ResolvedDriftOptions,
): { method: DriftMethod; threshold: number } {
  const override = options.columns[name];
  const configured =
    override?.method ??
    (column.kind === 'numerical' ? options.numericalMethod : options.categoricalMethod);
  const method =
    configured === 'auto'
      ? autoMethod(column.kind, column.rows, distinct, options.smallReferenceRows)
      : configured;
  if (column.kind === 'categorical' && (NUMERICAL_METHODS as readonly string[]).includes(method)) {
    throw new DriftError(
      'DRIFT_METHOD_UNSUPPORTED',
      `column "${name}" is categorical: ${method} needs numbers (use chisquare, z or jensenshannon)`,
    );
  }
  const threshold = override?.threshold ?? options.thresholds[method] ?? DEFAULT_THRESHOLDS[method];
  return { method, threshold };
}

function verdict(method: DriftMethod, score: number, threshold: number): boolean {
  // Evidently: ks drifts at p ≤ threshold, chisquare and z at p < threshold, distances at ≥.
  if (method === 'ks') return score <= threshold;
  return METHOD_SCORE[method] === 'p_value' ? score < threshold : score >= threshold;
}

type Scored = { score: number; statistic: number | null };

function categoricalScore<K>(method: DriftMethod, ref: Counts<K>, cur: Counts<K>): Scored {
  if (method === 'chisquare') {
    const r = chiSquareTest(ref, cur);
    return { score: r.pValue, statistic: r.statistic };
  }
  if (method === 'z') {
    const r = zTest(ref, cur);
    return { score: r.pValue, statistic: r.statistic };
  }
  const shares = sharesOverUnion(ref, cur);
  return { score: jensenShannonDistance(shares.reference, shares.current), statistic: null };
}

function numericalScore(
  method: DriftMethod,
  ref: PreparedNumerical,
  cur: Float64Array,
  compared: ReturnType<typeof compareSorted>,
): Scored {
  switch (method) {
    case 'ks':
      return {
        score: ksAsymptoticPValue(compared.ks, ref.sorted.length, cur.length),
        statistic: compared.ks,
      };
    case 'wasserstein':
      return { score: compared.wasserstein / Math.max(ref.std, 0.001), statistic: null };
    case 'psi':
      return {
        score: populationStabilityIndex(ref.psiShares, sharesInBins(cur, ref.psiEdges)),
        statistic: null,
      };
    case 'jensenshannon':
      if (ref.distinct > 20) {
        // Evidently bins a many-valued numerical column with Sturges' rule over ref ∪ cur.
        const edges = sturgesEdges(ref.sorted, cur);
        return {
          score: jensenShannonDistance(
            histogramShares(ref.sorted, edges),
            histogramShares(cur, edges),
          ),
          statistic: null,
        };
      }
      return categoricalScore(method, valueCounts(ref.sorted), valueCounts(cur));
    default:
      return categoricalScore(method, valueCounts(ref.sorted), valueCounts(cur));
  }
}

function columnValues(current: CurrentColumns, name: string): ArrayLike<unknown> | undefined {
  return current[name];
}

function scoreColumn(
  name: string,
  column: PreparedColumn,
  values: ArrayLike<unknown>,
  options: ResolvedDriftOptions,
  enough: boolean,
): ColumnDrift {
  if (column.kind === 'numerical') {
    if (values.length > 0 && typeof values[0] !== 'number') {
      throw new DriftError('DRIFT_VALUE_INVALID', `column "${name}" is numerical: pass numbers`);
    }
    if (!enough) return notEnough(name, column, column.distinct, options);
    const cur = sortedSample(values as ArrayLike<number>, name);
    const compared = compareSorted(column.sorted, cur);
    const { method, threshold } = chooseMethod(name, column, compared.distinct, options);
    const { score, statistic } = numericalScore(method, column, cur, compared);
    return finish(method, score, statistic, threshold);
  }
  if (!enough) return notEnough(name, column, column.counts.size, options);
  const cur = countLabels(values, name);
  const distinct = new Set([...column.counts.keys(), ...cur.keys()]).size;
  const { method, threshold } = chooseMethod(name, column, distinct, options);
  const { score, statistic } = categoricalScore(method, column.counts, cur);
  return finish(method, score, statistic, threshold);
}

function finish(
  method: DriftMethod,
  score: number,
  statistic: number | null,
  threshold: number,
): ColumnDrift {
  if (!Number.isFinite(score)) {
    // Guarded in every method above; a NaN here is a bug, not a verdict.
    throw new Error(`drift ${method} produced a non-finite score (${score})`);
  }
  return {
    method,
    score,
    statistic: statistic !== null && Number.isFinite(statistic) ? statistic : null,
    threshold,
    drifted: verdict(method, score, threshold),
  };
}

function notEnough(
  name: string,
  column: PreparedNumerical | PreparedCategorical,
  distinct: number,
  options: ResolvedDriftOptions,
): ColumnDrift {
  const { method, threshold } = chooseMethod(name, column, distinct, options);
  return { method, score: null, statistic: null, threshold, drifted: false };
}

function rowCount(reference: PreparedReference, current: CurrentColumns): number {
  let rows: number | undefined;
  let first = '';
  for (const name of reference.columns.keys()) {
    const values = columnValues(current, name);
    if (values === undefined) continue;
    if (rows === undefined) {
      rows = values.length;
      first = name;
    } else if (values.length !== rows) {
      throw new DriftError(
        'DRIFT_COLUMN_LENGTH',
        `current columns differ in length: "${first}" has ${rows} rows, "${name}" ${values.length}`,
      );
    }
  }
  return rows ?? 0;
}

/** Drift of `current` against a prepared reference. Pure; O(n log n) in the window size. */
export function computeDrift(
  reference: PreparedReference,
  current: CurrentColumns,
  options: DriftOptions = {},
): DriftReport {
  const resolved = resolveDriftOptions(options);
  const rows = rowCount(reference, current);
  const enough = rows >= resolved.minRows && rows > 0;
  const warnings: string[] = [];
  if (reference.approximate) {
    warnings.push(
      'the reference is the model\u2019s binned training profile (the model predates reference ' +
        'samples): numerical scores are approximations; retrain to store an exact sample',
    );
  }
  if (!enough) {
    warnings.push(
      `not enough data: ${rows} current rows, at least ${resolved.minRows} needed for a verdict`,
    );
  }
  const features: Record<string, ColumnDrift> = {};
  const byRole: Partial<Record<ColumnRole, ColumnDrift>> = {};
  for (const [name, column] of reference.columns) {
    const values = columnValues(current, name);
    if (values === undefined) {
      if (column.role === 'feature') {
        throw new DriftError(
          'DRIFT_COLUMN_MISSING',
          `the current data has no "${name}" column (a feature of the reference)`,
        );
      }
      warnings.push(`no ${column.role} column "${name}" in the current data: not compared`);
      continue;
    }
    const result = scoreColumn(name, column, values, resolved, enough);
    if (column.role === 'feature') features[name] = result;
    else byRole[column.role] = result;
  }
  const tested = [...Object.values(features), ...Object.values(byRole)];
  const drifted = tested.filter((c) => c.drifted).length;
  const share = enough && tested.length > 0 ? drifted / tested.length : 0;
  return {
    status: enough ? 'ok' : 'not_enough_data',
    rows_reference: reference.rows,
    rows_current: rows,
    min_rows: resolved.minRows,
    reference: { source: reference.source, approximate: reference.approximate },
    dataset_drift: enough && share >= resolved.driftShare,
    drift_share: share,
    drift_share_threshold: resolved.driftShare,
    drifted_columns: enough ? drifted : 0,
    columns_tested: tested.length,
    features,
    prediction: byRole.prediction ?? null,
    ...(byRole.target === undefined ? {} : { target: byRole.target }),
    warnings,
  };
}
