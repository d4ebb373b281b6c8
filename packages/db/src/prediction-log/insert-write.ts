/**
 * Writes rows with one `INSERT ... SELECT FROM unnest($1, ..., $19)`: a multi-row insert with
 * 19 array parameters whatever the batch size (a VALUES list would need 19 per row and stop
 * at 65,535 parameters). The slower of the two methods; kept for the benchmark and for
 * poolers that do not pass COPY through.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { PoolClient } from 'pg';
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

const INSERT_SQL = `INSERT INTO prediction_log (${LOG_COLUMNS.join(', ')}) SELECT * FROM unnest(${LOG_COLUMNS.map(
  (c, i) => `$${i + 1}::${TYPES[c]}[]`,
).join(', ')})`;

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
