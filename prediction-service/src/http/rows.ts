import type { WineRecord } from '@wine/model';
import { MAX_ERROR_DETAILS, ServiceError, clip } from '../errors';
import type { ErrorDetail, ServiceErrorCode } from '../errors';
import { checkRecord } from './record.schema';

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
  let problems = 0;
  for (let i = 0; i < rows.length; i++) {
    const room = MAX_ERROR_DETAILS - details.length;
    const check = checkRecord(rows[i], path === '' ? '' : `${path}[${i}]`, room);
    if (check.ok) {
      records[i] = check.record;
    } else {
      // A structural error anywhere outranks an impossible value elsewhere.
      code = code === 'INVALID_INPUT' ? code : check.code;
      details.push(...check.details);
      problems += check.problems;
    }
  }
  if (code !== undefined) {
    const first = details[0];
    const where = first === undefined ? '' : `${first.path}: ${first.message}`;
    const more = problems > 1 ? ` (and ${(problems - 1).toLocaleString('en-US')} more)` : '';
    throw new ServiceError(
      code,
      code === 'IMPOSSIBLE_VALUE'
        ? `Physically impossible value — ${clip(where)}${more}.`
        : `Invalid input — ${clip(where)}${more}.`,
      { details, detailsOmitted: problems - details.length },
    );
  }
  return records;
}
