/**
 * Writes rows with `COPY prediction_log (...) FROM STDIN` (text format) through
 * pg-copy-streams: one round trip and no per-parameter encoding, the fastest way into
 * PostgreSQL (bench: `pnpm run bench prediction-log`).
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { FEATURE_NAMES } from '@wine/model';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { LOG_COLUMNS } from './entry';
import type { EntrySlice } from './entry';

const COPY_SQL = `COPY prediction_log (${LOG_COLUMNS.join(', ')}) FROM STDIN`;

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
function text(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : value;
}

/** Renders the slices as COPY text lines; exported for the benchmark and tests. */
export function renderCopyText(slices: readonly EntrySlice[]): string {
  let out = '';
  for (const { entry, start, end } of slices) {
    const prefix = `${text(entry.requestId)}\t`;
    const at = new Date(entry.receivedAt).toISOString();
    const middle = `\t${at}\t${text(entry.endpoint)}\t${text(entry.model.name)}\t${text(entry.model.version)}\t${text(entry.model.source)}`;
    for (let i = start; i < end; i++) {
      const r = entry.records[i];
      const p = entry.predictions[i];
      if (r === undefined || p === undefined) continue;
      let line = prefix + String(i) + middle;
      for (const name of FEATURE_NAMES) line += `\t${r[name]}`;
      line += `\t${r.wine_type}\t${p}\n`;
      out += line;
    }
  }
  return out;
}

export async function copyRows(client: PoolClient, slices: readonly EntrySlice[]): Promise<void> {
  const body = renderCopyText(slices);
  const stream = client.query(copyFrom(COPY_SQL));
  await pipeline(Readable.from([body]), stream);
}
