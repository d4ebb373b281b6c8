/**
 * Prediction-log retention: deletes the rows predicted before a cutoff, in batches of their
 * own transactions (bounded locks and WAL per statement; the service keeps writing
 * meanwhile; autovacuum reclaims the space). Labels of deleted rows go with them
 * (prediction_feedback references the log ON DELETE CASCADE). The BRIN index on
 * predicted_at (migration 1796011200000) finds the old rows by block range.
 */
import type { Pool } from 'pg';
import { runQuery as run } from './errors';

type Queryable = Pick<Pool, 'query'>;

export const RETENTION_DEFAULTS = { batchRows: 10_000 } as const;

export interface PruneOptions {
  /** Rows predicted strictly before this instant are deleted. */
  readonly before: Date;
  /** Rows per DELETE statement (default 10,000). */
  readonly batchRows?: number;
  /** Stop after this many batches (default: until none is left). */
  readonly maxBatches?: number;
  /** Called after each batch with the running total. */
  readonly onBatch?: (deletedRows: number) => void;
}

export interface PruneResult {
  readonly deletedRows: number;
  readonly batches: number;
  /** True when rows before the cutoff may remain (maxBatches reached). */
  readonly more: boolean;
}

/** The cutoff for a retention of `days` days, from `now`. */
export function retentionCutoff(days: number, now = Date.now()): Date {
  if (!Number.isFinite(days) || days <= 0) {
    throw new RangeError(`retention must be a positive number of days, not ${days}`);
  }
  return new Date(now - days * 86_400_000);
}

/** Rows predicted before `before` (what a prune would delete; for --dry-run). */
export async function countRowsBefore(db: Queryable, before: Date): Promise<number> {
  const result = await run(() =>
    db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM prediction_log WHERE predicted_at < $1',
      [before],
    ),
  );
  return Number(result.rows[0]?.n ?? 0);
}

export async function prunePredictionLog(
  db: Queryable,
  options: PruneOptions,
): Promise<PruneResult> {
  const batchRows = options.batchRows ?? RETENTION_DEFAULTS.batchRows;
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new RangeError(`batchRows must be a whole number ≥ 1, not ${batchRows}`);
  }
  let deletedRows = 0;
  let batches = 0;
  for (;;) {
    if (options.maxBatches !== undefined && batches >= options.maxBatches) {
      return { deletedRows, batches, more: true };
    }
    const result = await run(() =>
      db.query(
        `DELETE FROM prediction_log WHERE id IN (
           SELECT id FROM prediction_log WHERE predicted_at < $1 LIMIT $2
         )`,
        [options.before, batchRows],
      ),
    );
    const n = result.rowCount ?? 0;
    if (n > 0) {
      batches++;
      deletedRows += n;
      options.onBatch?.(deletedRows);
    }
    if (n < batchRows) return { deletedRows, batches, more: false };
  }
}
