import type { WineRecord } from '@wine/model';
import { ServiceError } from '../errors';
import type { ErrorDetail, ServiceErrorCode } from '../errors';
import { checkRecord } from './record.schema';

/** Stop listing problems after this many rows: the client needs examples, not a novel. */
const MAX_DETAILS = 20;

/**
 * Validates a list of candidate records (a batch). The row limit is checked before any row
 * is validated so an oversized batch costs nothing. For a single record pass `path` ''.
 */
export function collectRecords(rows: unknown, path: string, maxRows: number): WineRecord[] {
  if (!Array.isArray(rows)) {
    throw new ServiceError('INVALID_REQUEST', `${path} must be an array of records.`, {
      details: [{ path, message: 'expected an array' }],
    });
  }
  if (rows.length === 0) {
    throw new ServiceError('INVALID_REQUEST', `${path} must contain at least one record.`, {
      details: [{ path, message: 'empty batch' }],
    });
  }
  if (rows.length > maxRows) {
    throw new ServiceError(
      'BATCH_TOO_LARGE',
      `The batch has ${rows.length} rows; the limit is ${maxRows} (MAX_BATCH_ROWS).`,
      { details: [{ path, message: `${rows.length} > ${maxRows} rows` }] },
    );
  }
  const records: WineRecord[] = new Array<WineRecord>(rows.length);
  let code: ServiceErrorCode | undefined;
  const details: ErrorDetail[] = [];
  for (let i = 0; i < rows.length; i++) {
    const check = checkRecord(rows[i], path === '' ? '' : `${path}[${i}]`);
    if (check.ok) {
      records[i] = check.record;
    } else {
      // A structural error anywhere outranks an impossible value elsewhere.
      code = code === 'INVALID_INPUT' ? code : check.code;
      if (details.length < MAX_DETAILS) details.push(...check.details);
    }
  }
  if (code !== undefined) {
    const first = details[0];
    const where = first === undefined ? '' : `${first.path}: ${first.message}`;
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
    throw new ServiceError(
      code,
      code === 'IMPOSSIBLE_VALUE'
        ? `Physically impossible value — ${where}${more}.`
        : `Invalid input — ${where}${more}.`,
      { details },
    );
  }
  return records;
}
