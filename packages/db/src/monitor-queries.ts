/**
 * The reads the model monitor makes on every run. Each is an index range scan (see the
 * migration's indexes), so their cost follows the window size, not the table size:
 * `pnpm run bench prediction-log` times them on a million-row log.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { FeatureName, WineType } from '@wine/model';
import type { Pool } from 'pg';
import { runQuery as run } from './errors';

type Queryable = Pick<Pool, 'query'>;

export interface LoggedModel {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  /** When the newest row was predicted. */
  readonly lastPredictionAt: Date;
}

/** The model of the newest logged prediction (what the service serves now), or undefined when the log is empty. */
export async function latestLoggedModel(db: Queryable): Promise<LoggedModel | undefined> {
  const result = await run(() =>
    db.query<{
      model_name: string;
      model_version: string;
      model_source: string;
      predicted_at: Date;
    }>(
      'SELECT model_name, model_version, model_source, predicted_at FROM prediction_log ORDER BY id DESC LIMIT 1',
    ),
  );
  const row = result.rows[0];
  return row === undefined
    ? undefined
    : {
        name: row.model_name,
        version: row.model_version,
        source: row.model_source,
        lastPredictionAt: row.predicted_at,
      };
}

export interface WindowQuery {
  readonly modelVersion: string;
  /** Newest rows to read at most. */
  readonly maxRows: number;
  /** Only rows predicted at or after this Unix ms time (a "last T minutes" window). */
  readonly since?: number | undefined;
}

/** A window of logged predictions as columns, newest row first. */
export interface PredictionWindow {
  readonly rows: number;
  readonly features: Readonly<Record<FeatureName, Float64Array>>;
  readonly wineType: readonly WineType[];
  readonly predictions: Float64Array;
  /** Oldest and newest prediction time in the window (undefined when empty). */
  readonly oldest: Date | undefined;
  readonly newest: Date | undefined;
}

const WINDOW_COLUMNS = [...FEATURE_NAMES, 'wine_type', 'prediction', 'predicted_at'].join(', ');

export async function readWindow(db: Queryable, query: WindowQuery): Promise<PredictionWindow> {
  // Both shapes walk (model_version, predicted_at) backwards from the newest row.
  const sql =
    query.since === undefined
      ? `SELECT ${WINDOW_COLUMNS} FROM prediction_log WHERE model_version = $1 ORDER BY predicted_at DESC LIMIT $2`
      : `SELECT ${WINDOW_COLUMNS} FROM prediction_log WHERE model_version = $1 AND predicted_at >= $3 ORDER BY predicted_at DESC LIMIT $2`;
  const params: unknown[] = [query.modelVersion, query.maxRows];
  if (query.since !== undefined) params.push(new Date(query.since));
  const result = await run(() =>
    db.query<unknown[]>({ text: sql, values: params, rowMode: 'array' }),
  );
  const n = result.rows.length;
  const features = Object.fromEntries(
    FEATURE_NAMES.map((name) => [name, new Float64Array(n)]),
  ) as Record<FeatureName, Float64Array>;
  const wineType: WineType[] = new Array<WineType>(n);
  const predictions = new Float64Array(n);
  const columns = FEATURE_NAMES.map((name) => features[name]);
  const k = FEATURE_NAMES.length;
  let oldest: Date | undefined;
  let newest: Date | undefined;
  result.rows.forEach((row, i) => {
    for (let c = 0; c < k; c++) (columns[c] as Float64Array)[i] = row[c] as number;
    wineType[i] = row[k] as WineType;
    predictions[i] = row[k + 1] as number;
    const at = row[k + 2] as Date;
    if (newest === undefined || at > newest) newest = at;
    if (oldest === undefined || at < oldest) oldest = at;
  });
  return { rows: n, features, wineType, predictions, oldest, newest };
}

export interface LiveError {
  readonly modelVersion: string;
  /** Labelled predictions in the window. */
  readonly labelled: number;
  readonly rmse: number;
  readonly mae: number;
}

/**
 * RMSE and MAE per model version over its newest `maxRows` labelled predictions predicted
 * since `since`. Versions are found with a skip scan of the feedback index, so many labels
 * per version cost nothing extra.
 */
export async function liveErrorByVersion(
  db: Queryable,
  options: { maxRows: number; since: number },
): Promise<LiveError[]> {
  const sql = `WITH RECURSIVE versions AS (
    (SELECT model_version FROM prediction_feedback ORDER BY model_version LIMIT 1)
    UNION ALL
    SELECT (SELECT f.model_version FROM prediction_feedback f WHERE f.model_version > v.model_version ORDER BY f.model_version LIMIT 1)
    FROM versions v WHERE v.model_version IS NOT NULL
  )
  SELECT v.model_version, e.n, e.rmse, e.mae
  FROM versions v CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, sqrt(avg((w.prediction - w.quality) ^ 2)) AS rmse, avg(abs(w.prediction - w.quality)) AS mae
    FROM (
      SELECT prediction, quality FROM prediction_feedback f
      WHERE f.model_version = v.model_version AND f.predicted_at >= $2
      ORDER BY f.predicted_at DESC LIMIT $1
    ) w
  ) e
  WHERE v.model_version IS NOT NULL AND e.n > 0
  ORDER BY v.model_version`;
  const result = await run(() =>
    db.query<{ model_version: string; n: number; rmse: number; mae: number }>(sql, [
      options.maxRows,
      new Date(options.since),
    ]),
  );
  return result.rows.map((r) => ({
    modelVersion: r.model_version,
    labelled: r.n,
    rmse: r.rmse,
    mae: r.mae,
  }));
}

export interface FeedbackCoverage {
  readonly modelVersion: string;
  readonly predictions: number;
  readonly labelled: number;
}

/**
 * Predictions and labelled predictions per version, predicted since `since`: versions by a
 * skip scan, then two index range counts per version on (model_version, predicted_at).
 */
export async function feedbackCoverage(
  db: Queryable,
  options: { since: number },
): Promise<FeedbackCoverage[]> {
  const since = new Date(options.since);
  const sql = `WITH RECURSIVE versions AS (
    (SELECT model_version FROM prediction_log ORDER BY model_version LIMIT 1)
    UNION ALL
    SELECT (SELECT l.model_version FROM prediction_log l WHERE l.model_version > v.model_version ORDER BY l.model_version LIMIT 1)
    FROM versions v WHERE v.model_version IS NOT NULL
  ), counts AS (
    SELECT v.model_version,
      (SELECT count(*) FROM prediction_log l WHERE l.model_version = v.model_version AND l.predicted_at >= $1) AS predictions,
      (SELECT count(*) FROM prediction_feedback f WHERE f.model_version = v.model_version AND f.predicted_at >= $1) AS labelled
    FROM versions v WHERE v.model_version IS NOT NULL
  )
  SELECT model_version, predictions::bigint, labelled::bigint FROM counts WHERE predictions > 0 ORDER BY model_version`;
  const result = await run(() =>
    db.query<{ model_version: string; predictions: string; labelled: string }>(sql, [since]),
  );
  return result.rows.map((r) => ({
    modelVersion: r.model_version,
    predictions: Number(r.predictions),
    labelled: Number(r.labelled),
  }));
}

/** Rows in the prediction log (tests and the e2e's "rows == predictions answered"). */
export async function countLoggedRows(db: Queryable): Promise<number> {
  const result = await run(() =>
    db.query<{ n: string }>('SELECT count(*)::bigint AS n FROM prediction_log'),
  );
  return Number(result.rows[0]?.n ?? 0);
}
