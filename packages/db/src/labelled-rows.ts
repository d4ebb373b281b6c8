/**
 * Labelled live rows for retraining: every prediction row that received its true quality
 * through POST /feedback, with the features the service logged (copied into
 * prediction_feedback when the label arrived). Oldest first, so the same rows always come
 * back in the same order (the pipeline fingerprints them).
 */
import { FEATURE_NAMES, type LabeledWineRecord, type WineType } from '@wine/model';
import type { Pool } from 'pg';
import { pgFailure } from './errors';

export interface LabelledRowsQuery {
  /** Only rows labelled within the last N days; 0 = all. */
  readonly maxAgeDays: number;
  /** Also count the rows labelled after this instant (e.g. when the serving model was registered). */
  readonly newSince?: Date | undefined;
}

export interface LabelledRows {
  readonly rows: LabeledWineRecord[];
  /** Rows labelled after `newSince` (all of them when it is absent). */
  readonly newSince: number;
}

type Row = Record<(typeof FEATURE_NAMES)[number], number> & {
  wine_type: WineType;
  quality: number;
  is_new: boolean;
};

export async function labelledRows(
  db: Pick<Pool, 'query'>,
  query: LabelledRowsQuery,
): Promise<LabelledRows> {
  const columns = FEATURE_NAMES.map((n) => `f.${n}`).join(', ');
  let rows: Row[];
  try {
    ({ rows } = await db.query<Row>(
      `SELECT ${columns}, f.wine_type, f.quality,
         ($2::timestamptz IS NULL OR f.labelled_at > $2) AS is_new
       FROM prediction_feedback f
       WHERE $1::integer = 0 OR f.labelled_at > now() - make_interval(days => $1::integer)
       ORDER BY f.prediction_id`,
      [query.maxAgeDays, query.newSince ?? null],
    ));
  } catch (error) {
    throw pgFailure(error);
  }
  return {
    rows: rows.map((r) => {
      const features = Object.fromEntries(FEATURE_NAMES.map((n) => [n, r[n]])) as Record<
        (typeof FEATURE_NAMES)[number],
        number
      >;
      return { ...features, wine_type: r.wine_type, quality: r.quality };
    }),
    newSince: rows.filter((r) => r.is_new).length,
  };
}
