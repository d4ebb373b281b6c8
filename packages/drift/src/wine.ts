/**
 * The wine model's columns as a drift problem: the 11 numerical features and `wine_type`
 * (categorical), plus the prediction and, where known, the true quality (target). The
 * reference is the model directory's exact sample or, for older models, its binned profile.
 */
import {
  FEATURE_NAMES,
  TARGET_NAME,
  type BinnedDistribution,
  type ModelReference,
  type ReferenceProfile,
  type WineColumns,
} from '@wine/model';
import type { CurrentColumns } from './detect';
import { DriftError } from './errors';
import {
  prepareReference,
  type PreparedReference,
  type QuantileProfile,
  type ReferenceColumnInput,
} from './reference';

export const PREDICTION_COLUMN = 'prediction';
export const WINE_TYPE_COLUMN = 'wine_type';

export interface WineReferenceOptions {
  readonly psiBins?: number;
  /** Reported with every result, e.g. the model directory. */
  readonly source?: string;
}

/** The exact reference: a sample of training rows with their predictions (and quality). */
export function wineReferenceFromSample(
  sample: WineColumns,
  options: WineReferenceOptions = {},
): PreparedReference {
  const columns: Record<string, ReferenceColumnInput> = {};
  for (const name of FEATURE_NAMES) {
    columns[name] = { kind: 'numerical', values: sample.features[name] };
  }
  columns[WINE_TYPE_COLUMN] = { kind: 'categorical', values: sample.wineType };
  if (sample.prediction !== undefined) {
    columns[PREDICTION_COLUMN] = {
      kind: 'numerical',
      role: 'prediction',
      values: sample.prediction,
    };
  }
  if (sample.quality !== undefined) {
    columns[TARGET_NAME] = { kind: 'numerical', role: 'target', values: sample.quality };
  }
  return prepareReference({
    columns,
    ...(options.psiBins === undefined ? {} : { psiBins: options.psiBins }),
    source: options.source ?? 'reference sample',
  });
}

/** Percentiles of a distribution that stored only its bins: the binned CDF, linearly. */
function quantilesOf(d: BinnedDistribution): number[] {
  if (d.quantiles !== undefined && d.quantiles.length >= 2) return d.quantiles;
  const ps = [0];
  const xs = [d.min];
  let cum = 0;
  d.edges.forEach((edge, i) => {
    cum += d.proportions[i] ?? 0;
    ps.push(cum);
    xs.push(edge);
  });
  ps.push(1);
  xs.push(d.max);
  return Array.from({ length: 101 }, (_, k) => {
    const p = k / 100;
    let i = 1;
    while (i < ps.length - 1 && (ps[i] as number) < p) i++;
    const p0 = ps[i - 1] as number;
    const p1 = ps[i] as number;
    const x0 = xs[i - 1] as number;
    const x1 = xs[i] as number;
    return p1 > p0 ? x0 + ((p - p0) / (p1 - p0)) * (x1 - x0) : x1;
  });
}

function profileOf(d: BinnedDistribution): QuantileProfile {
  return {
    count: d.count,
    std: d.std,
    quantiles: quantilesOf(d),
    edges: d.edges,
    proportions: d.proportions,
  };
}

/**
 * The fallback for a model trained before reference samples: numerical columns rebuilt from
 * the stored percentiles (scores approximate, and every result says so), PSI exact on the
 * stored bins, wine_type exact from the stored shares.
 */
export function wineReferenceFromProfile(
  profile: ReferenceProfile,
  options: WineReferenceOptions = {},
): PreparedReference {
  const columns: Record<string, ReferenceColumnInput> = {};
  for (const name of FEATURE_NAMES) {
    const d = profile.features[name];
    if (d !== undefined) columns[name] = { kind: 'numerical', profile: profileOf(d) };
  }
  const anyFeature = profile.features[FEATURE_NAMES[0]];
  columns[WINE_TYPE_COLUMN] = {
    kind: 'categorical',
    shares: profile.categorical.wine_type,
    count: anyFeature?.count ?? profile.prediction.count,
  };
  columns[PREDICTION_COLUMN] = {
    kind: 'numerical',
    role: 'prediction',
    profile: profileOf(profile.prediction),
  };
  if (profile.target !== undefined) {
    columns[TARGET_NAME] = {
      kind: 'numerical',
      role: 'target',
      profile: profileOf(profile.target),
    };
  }
  return prepareReference({
    columns,
    ...(options.psiBins === undefined ? {} : { psiBins: options.psiBins }),
    source: options.source ?? 'model profile',
  });
}

/**
 * The reference of a model directory (`readModelReference` in @wine/model): its exact sample,
 * else — a model from before samples — its binned profile, flagged approximate.
 */
export function wineReferenceFromModel(
  reference: ModelReference,
  options: WineReferenceOptions = {},
): PreparedReference {
  if (reference.kind === 'sample') return wineReferenceFromSample(reference.sample, options);
  if (reference.kind === 'profile') return wineReferenceFromProfile(reference.profile, options);
  throw new DriftError(
    'DRIFT_REFERENCE_INVALID',
    'this model.json has neither a reference sample nor a profile: retrain it with `pnpm run train`',
  );
}

/** A window of wines as drift's current columns (prediction and quality when present). */
export function wineCurrentColumns(current: WineColumns): CurrentColumns {
  const columns: Record<string, ArrayLike<number> | readonly string[]> = {};
  for (const name of FEATURE_NAMES) columns[name] = current.features[name];
  columns[WINE_TYPE_COLUMN] = current.wineType;
  if (current.prediction !== undefined) columns[PREDICTION_COLUMN] = current.prediction;
  if (current.quality !== undefined) columns[TARGET_NAME] = current.quality;
  return columns;
}
