/**
 * Writes rows with one `INSERT ... SELECT ... FROM unnest($1, ..., $19) GROUP BY` into
 * `prediction_log_batch`: the rows go over as 19 array parameters whatever the batch size,
 * and PostgreSQL groups them into one stored batch per endpoint and model (what the COPY path
 * does in batch-copy.ts), with the request-id rule of `prediction_log_request_id_time`. The
 * slower of the two methods; kept for the benchmark and for poolers that do not pass COPY
 * through.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { PoolClient } from 'pg';
import { BATCH_COLUMNS } from './batch-copy';
import { LOG_COLUMNS } from './entry';
import type { EntrySlice } from './entry';

const TYPES: Record<(typeof LOG_COLUMNS)[number], string> = {
  request_id: 'text',
  row_index: 'int4',
  predicted_at: 'timestamptz',
  endpoint: 'text',
  model_name: 'text',
  model_version: 'text',
  model_source: 'text',
  ...(Object.fromEntries(FEATURE_NAMES.map((n) => [n, 'float8'])) as Record<
    (typeof FEATURE_NAMES)[number],
    string
  >),
  wine_type: 'text',
  prediction: 'float8',
};

/** The batch columns that hold one value per row (request_id onwards). */
const PER_ROW = BATCH_COLUMNS.slice(BATCH_COLUMNS.indexOf('request_id'));

const INSERT_SQL = `INSERT INTO prediction_log_batch (${BATCH_COLUMNS.join(', ')})
SELECT endpoint, model_name, model_version, model_source, min(predicted_at), max(predicted_at), count(*),
  min(id_time), max(id_time), coalesce(array_agg(DISTINCT request_id) FILTER (WHERE id_time IS NULL), '{}'),
  ${PER_ROW.map((c) => `array_agg(${c} ORDER BY ord)`).join(', ')}
FROM (
  SELECT u.*, prediction_log_request_id_time(u.request_id, u.predicted_at) AS id_time
  FROM unnest(${LOG_COLUMNS.map((c, i) => `$${i + 1}::${TYPES[c]}[]`).join(', ')})
    WITH ORDINALITY AS u(${LOG_COLUMNS.join(', ')}, ord)
) r
GROUP BY endpoint, model_name, model_version, model_source
ORDER BY min(ord)`;

export function insertParameters(slices: readonly EntrySlice[]): unknown[][] {
  const columns: unknown[][] = LOG_COLUMNS.map(() => []);
  const push = (i: number, v: unknown): void => {
    (columns[i] as unknown[]).push(v);
  };
  for (const { entry, start, end } of slices) {
    const at = new Date(entry.receivedAt).toISOString();
    for (let i = start; i < end; i++) {
      const r = entry.records[i];
      const p = entry.predictions[i];
      if (r === undefined || p === undefined) continue;
      let c = 0;
      push(c++, entry.requestId);
      push(c++, i);
      push(c++, at);
      push(c++, entry.endpoint);
      push(c++, entry.model.name);
      push(c++, entry.model.version);
      push(c++, entry.model.source);
      for (const name of FEATURE_NAMES) push(c++, r[name]);
      push(c++, r.wine_type);
      push(c, p);
    }
  }
  return columns;
}

export async function insertRows(client: PoolClient, slices: readonly EntrySlice[]): Promise<void> {
  await client.query(INSERT_SQL, insertParameters(slices));
}
