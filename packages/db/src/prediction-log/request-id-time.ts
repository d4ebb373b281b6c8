/**
 * How the batched log finds a request id without an index entry per prediction: a version 7
 * UUID (RFC 9562, the service's own request ids) starts with the Unix time in ms it was made
 * at, so a batch records the span of those times and a GiST index finds the batches whose
 * span holds an id's time. Only an id whose time is within REQUEST_ID_TIME_TOLERANCE_MS of its
 * prediction's counts (a client's own UUIDv7 from a skewed clock would stretch its batch's
 * span); any other id is listed once per batch in `other_request_ids` (GIN-indexed).
 *
 * The same rule is the SQL function `prediction_log_request_id_time` (migration
 * 1801000000000), used for rows inserted through the view; a test compares the two.
 */
import { randomBytes } from 'node:crypto';

export const REQUEST_ID_TIME_TOLERANCE_MS = 2000;

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The Unix ms time in a version 7 UUID, or undefined for any other id. */
export function requestIdTime(requestId: string): number | undefined {
  if (requestId.length !== 36 || !UUID_V7.test(requestId)) return undefined;
  return parseInt(requestId.slice(0, 8) + requestId.slice(9, 13), 16);
}

/** The id's time when the batch index can find it by time (see above), else undefined. */
export function findableTime(requestId: string, predictedAtMs: number): number | undefined {
  const t = requestIdTime(requestId);
  return t !== undefined && Math.abs(predictedAtMs - t) <= REQUEST_ID_TIME_TOLERANCE_MS
    ? t
    : undefined;
}

/**
 * A version 7 UUID made at Unix ms `ms` (RFC 9562: 48-bit time, version 7, variant 10, 74
 * random bits): what `crypto.randomUUIDv7()` returns at that instant. For backfills, tests and
 * benchmarks that log predictions at times other than now.
 */
export function uuidV7At(ms: number): string {
  const r = randomBytes(10);
  const hex = ms.toString(16).padStart(12, '0');
  const rand = r.toString('hex');
  const variant = (8 + ((r[2] as number) & 3)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${rand.slice(0, 3)}-${variant}${rand.slice(5, 8)}-${rand.slice(8, 20)}`;
}
