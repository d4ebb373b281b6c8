/**
 * Ground truth for earlier predictions. All items of a call are stored in one statement or
 * none is: an unknown request id, a missing row number for a multi-row request, or the same
 * row twice is reported per item and nothing is written. Repeating an item is harmless
 * (`unchanged`); a different quality for a labelled row replaces it (`updated`), so a
 * labelling system can correct itself.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { Pool } from 'pg';
import { DbError, isConnectionError, pgFailure } from './errors';
import { requestIdTime } from './prediction-log/request-id-time';

export interface FeedbackItem {
  readonly requestId: string;
  /** Row of a batch request; may be omitted when the request scored one record. */
  readonly row?: number | undefined;
  /** True quality, an integer 0–10 (validated by the caller). */
  readonly quality: number;
}

export type FeedbackStatus = 'created' | 'updated' | 'unchanged';

export type FeedbackProblem =
  | { readonly index: number; readonly reason: 'unknown_request'; readonly requestId: string }
  | {
      readonly index: number;
      readonly reason: 'unknown_row';
      readonly requestId: string;
      readonly rows: number;
    }
  | {
      readonly index: number;
      readonly reason: 'row_required';
      readonly requestId: string;
      readonly rows: number;
    }
  | { readonly index: number; readonly reason: 'duplicate'; readonly requestId: string };

export type FeedbackResult =
  | { readonly ok: true; readonly statuses: readonly FeedbackStatus[] }
  | { readonly ok: false; readonly problems: readonly FeedbackProblem[] };

const FEATURES = FEATURE_NAMES.join(', ');

/**
 * Every logged row of each item's request id, with its id ((batch id << 16) | position):
 * the candidate batches are those whose request-id span holds the id's time (the GiST index)
 * and those listing the id among their other ids (the GIN index); the rows are the id's
 * positions in each candidate's request_id array.
 */
const FOUND = `input AS (
  SELECT * FROM unnest($1::text[], $2::int4[], $3::float8[], $4::timestamptz[])
    WITH ORDINALITY AS t(request_id, row_index, quality, id_time, ord)
),
candidates AS (
  SELECT i.ord, b.id FROM input i JOIN prediction_log_batch b ON b.request_id_span @> i.id_time
  UNION
  SELECT i.ord, b.id FROM input i JOIN prediction_log_batch b ON b.other_request_ids @> ARRAY[i.request_id]
),
found AS (
  SELECT c.ord, b.id AS batch_id, k, b.row_index[k] AS row_index
  FROM candidates c JOIN input i USING (ord) JOIN prediction_log_batch b ON b.id = c.id
  CROSS JOIN LATERAL unnest(array_positions(b.request_id, i.request_id)) AS k
)`;

const CHECK_SQL = `WITH ${FOUND}
SELECT i.ord::int AS ord,
       count(f.k) FILTER (WHERE f.row_index = coalesce(i.row_index, f.row_index))::int AS matches,
       count(DISTINCT f.row_index)::int AS rows
FROM input i LEFT JOIN found f USING (ord)
GROUP BY i.ord
ORDER BY i.ord`;

const UPSERT_SQL = `WITH ${FOUND},
targets AS (
  SELECT f.ord, (b.id << 16) | (f.k - 1) AS id, b.model_version, b.predicted_at[f.k] AS predicted_at,
    b.prediction[f.k] AS prediction, i.quality,
    ${FEATURE_NAMES.map((n) => `b.${n}[f.k] AS ${n}`).join(', ')}, b.wine_type[f.k] AS wine_type
  FROM found f JOIN input i USING (ord) JOIN prediction_log_batch b ON b.id = f.batch_id
  WHERE f.row_index = coalesce(i.row_index, f.row_index)
),
up AS (
  INSERT INTO prediction_feedback (prediction_id, model_version, predicted_at, prediction, quality, ${FEATURES}, wine_type)
  SELECT id, model_version, predicted_at, prediction, quality, ${FEATURES}, wine_type FROM targets
  ON CONFLICT (prediction_id) DO UPDATE SET quality = EXCLUDED.quality, labelled_at = now()
    WHERE prediction_feedback.quality IS DISTINCT FROM EXCLUDED.quality
  RETURNING prediction_id, (xmax = 0) AS inserted
)
SELECT t.ord::int AS ord, coalesce(bool_or(up.inserted), false) AS created, count(up.prediction_id)::int AS changed
FROM targets t LEFT JOIN up ON up.prediction_id = t.id
GROUP BY t.ord ORDER BY t.ord`;

export async function recordFeedback(
  pool: Pick<Pool, 'connect'>,
  items: readonly FeedbackItem[],
): Promise<FeedbackResult> {
  const problems: FeedbackProblem[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const key = `${item.requestId}\u0000${item.row ?? '*'}`;
    if (seen.has(key)) problems.push({ index, reason: 'duplicate', requestId: item.requestId });
    seen.set(key, index);
  });
  if (problems.length > 0) return { ok: false, problems };

  const params = [
    items.map((i) => i.requestId),
    items.map((i) => i.row ?? null),
    items.map((i) => i.quality),
    items.map((i) => {
      const t = requestIdTime(i.requestId);
      return t === undefined ? null : new Date(t);
    }),
  ];
  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translate(error);
  }
  try {
    await client.query('BEGIN');
    const check = await client.query<{ ord: number; matches: number; rows: number }>(
      CHECK_SQL,
      params,
    );
    for (const r of check.rows) {
      const index = r.ord - 1;
      const item = items[index];
      if (item === undefined) continue;
      if (r.matches === 0 && r.rows === 0) {
        problems.push({ index, reason: 'unknown_request', requestId: item.requestId });
      } else if (r.matches === 0) {
        problems.push({ index, reason: 'unknown_row', requestId: item.requestId, rows: r.rows });
      } else if (item.row === undefined && r.rows > 1) {
        problems.push({ index, reason: 'row_required', requestId: item.requestId, rows: r.rows });
      }
    }
    if (problems.length > 0) {
      await client.query('ROLLBACK');
      client.release();
      return { ok: false, problems };
    }
    const result = await client.query<{ ord: number; created: boolean; changed: number }>(
      UPSERT_SQL,
      params,
    );
    await client.query('COMMIT');
    const statuses: FeedbackStatus[] = items.map(() => 'unchanged');
    for (const r of result.rows) {
      statuses[r.ord - 1] = r.created ? 'created' : r.changed > 0 ? 'updated' : 'unchanged';
    }
    client.release();
    return { ok: true, statuses };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    // A broken connection must not go back into the pool.
    client.release(isConnectionError(error) ? (error as Error) : undefined);
    throw translate(error);
  }
}

function translate(error: unknown): DbError {
  if (error instanceof DbError) return error;
  return pgFailure(error, 'storing feedback failed');
}
