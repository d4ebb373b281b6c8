/**
 * Prediction-log retention: deletes the stored batches (prediction_log_batch) whose newest
 * row was predicted before a cutoff, a bounded number of rows per statement, each statement
 * its own transaction (bounded locks and WAL; the service keeps writing meanwhile;
 * autovacuum reclaims the space). A batch goes whole, so a row may outlive the cutoff by the
 * time its batch spans (the writer's flush interval, 250 ms by default, while the database is
 * up). Labels of deleted rows go with them (prediction_feedback references the batch ON
 * DELETE CASCADE). The index on last_at finds the old batches.
 */
import type { Pool } from 'pg';
import { runQuery as run } from './errors';

type Queryable = Pick<Pool, 'query'>;

export const RETENTION_DEFAULTS = { batchRows: 10_000 } as const;

export interface PruneOptions {
  /** Batches whose rows were all predicted strictly before this instant are deleted. */
  readonly before: Date;
  /** Rows per DELETE statement at most (default 10,000), or one batch when it holds more. */
  readonly batchRows?: number;
  /** Stop after this many DELETE statements (default: until none is left). */
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

/** Rows a prune with this cutoff would delete (for --dry-run). */
export async function countRowsBefore(db: Queryable, before: Date): Promise<number> {
  const result = await run(() =>
    db.query<{ n: string }>(
      'SELECT coalesce(sum(rows), 0)::text AS n FROM prediction_log_batch WHERE last_at < $1',
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
    // The oldest batches holding at most batchRows rows together (at least one batch).
    const result = await run(() =>
      db.query<{ rows: number }>(
        `DELETE FROM prediction_log_batch WHERE id IN (
           SELECT id FROM (
             SELECT id, sum(rows) OVER w AS upto, row_number() OVER w AS k
             FROM prediction_log_batch WHERE last_at < $1
             WINDOW w AS (ORDER BY last_at, id) ORDER BY last_at, id LIMIT $2
           ) oldest WHERE upto <= $2 OR k = 1
         ) RETURNING rows`,
        [options.before, batchRows],
      ),
    );
    const n = result.rows.reduce((sum, r) => sum + r.rows, 0);
    if (n > 0) {
      batches++;
      deletedRows += n;
      options.onBatch?.(deletedRows);
    }
    if (result.rows.length === 0) return { deletedRows, batches, more: false };
  }
}
