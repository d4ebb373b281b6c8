/**
 * The reads the model monitor makes on every run. The log is stored in batches
 * (prediction_log_batch, migration 1801000000000): each read finds its batches with an index
 * range scan and unnests only those, so its cost follows the window size, not the table
 * size: `pnpm run bench prediction-log` times them on a million-row log.
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
      'SELECT model_name, model_version, model_source, last_at AS predicted_at FROM prediction_log_batch ORDER BY id DESC LIMIT 1',
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

const WINDOW_COLUMNS = [...FEATURE_NAMES, 'wine_type', 'prediction', 'predicted_at'];

/** Batches looked at per round trip while finding a window's batches. */
const WINDOW_PAGE = 64;

interface BatchSpan {
  id: string;
  rows: number;
  first_at: Date;
  last_at: Date;
  /** last_at as PostgreSQL's text, to page on without losing microseconds to a Date. */
  last_key: string;
}

/**
 * The batches holding the newest `maxRows` rows of a version (since `since`): newest batches
 * by their last row's time until they hold maxRows rows, then every batch whose last row is
 * no older than the oldest first row among them. A batch's rows can be older than a later
 * batch's (two workers write at once), but the newest maxRows rows are all at or after that
 * first row, so no batch past it can hold one. Walks (model_version, last_at) backwards.
 */
async function windowBatches(db: Queryable, query: WindowQuery): Promise<string[]> {
  const ids: string[] = [];
  let rows = 0;
  let oldestFirst: Date | undefined;
  let cutoff: Date | undefined;
  let after: { key: string; id: string } | undefined;
  const since = query.since === undefined ? null : new Date(query.since);
  for (;;) {
    const params: unknown[] = [query.modelVersion, WINDOW_PAGE, since];
    if (after !== undefined) params.push(after.key, after.id);
    const page = await run(() =>
      db.query<BatchSpan>(
        `SELECT id::text, rows, first_at, last_at, last_at::text AS last_key FROM prediction_log_batch
         WHERE model_version = $1 AND ($3::timestamptz IS NULL OR last_at >= $3)
         ${after === undefined ? '' : 'AND (last_at, id) < ($4::timestamptz, $5::bigint)'}
         ORDER BY last_at DESC, id DESC LIMIT $2`,
        params,
      ),
    );
    for (const b of page.rows) {
      if (cutoff !== undefined && b.last_at < cutoff) return ids;
      ids.push(b.id);
      rows += b.rows;
      if (oldestFirst === undefined || b.first_at < oldestFirst) oldestFirst = b.first_at;
      if (cutoff === undefined && rows >= query.maxRows) cutoff = oldestFirst;
    }
    const last = page.rows[page.rows.length - 1];
    if (page.rows.length < WINDOW_PAGE || last === undefined) return ids;
    after = { key: last.last_key, id: last.id };
  }
}

export async function readWindow(db: Queryable, query: WindowQuery): Promise<PredictionWindow> {
  const batches = await windowBatches(db, query);
  const u = WINDOW_COLUMNS.map((c) => `u.${c}`).join(', ');
  const result = await run(() =>
    db.query<unknown[]>({
      text: `SELECT ${u} FROM prediction_log_batch b
        CROSS JOIN LATERAL unnest(${WINDOW_COLUMNS.map((c) => `b.${c}`).join(', ')}) AS u(${WINDOW_COLUMNS.join(', ')})
        WHERE b.id = ANY($1::bigint[]) AND ($3::timestamptz IS NULL OR u.predicted_at >= $3)
        ORDER BY u.predicted_at DESC LIMIT $2`,
      values: [batches, query.maxRows, query.since === undefined ? null : new Date(query.since)],
      rowMode: 'array',
    }),
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
 * skip scan, then per version an index range over its batches whose last row is since then
 * (a batch wholly after `since` counts its rows; the one or two that straddle it count their
 * times), and a range count of its labels.
 */
export async function feedbackCoverage(
  db: Queryable,
  options: { since: number },
): Promise<FeedbackCoverage[]> {
  const since = new Date(options.since);
  const sql = `WITH RECURSIVE versions AS (
    (SELECT model_version FROM prediction_log_batch ORDER BY model_version LIMIT 1)
    UNION ALL
    SELECT (SELECT b.model_version FROM prediction_log_batch b WHERE b.model_version > v.model_version ORDER BY b.model_version LIMIT 1)
    FROM versions v WHERE v.model_version IS NOT NULL
  ), counts AS (
    SELECT v.model_version,
      (SELECT coalesce(sum(CASE WHEN b.first_at >= $1 THEN b.rows
                           ELSE (SELECT count(*) FROM unnest(b.predicted_at) t WHERE t >= $1) END), 0)
       FROM prediction_log_batch b WHERE b.model_version = v.model_version AND b.last_at >= $1) AS predictions,
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
    db.query<{ n: string }>('SELECT coalesce(sum(rows), 0)::bigint AS n FROM prediction_log_batch'),
  );
  return Number(result.rows[0]?.n ?? 0);
}
