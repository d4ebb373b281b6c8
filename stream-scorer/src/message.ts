/**
 * From an input entry to a wine record, with the prediction API's validation rules
 * (checkRecord of @wine/prediction-service, the same code): pure, no IO. Anything that is
 * not a scorable wine becomes a dead letter saying why.
 */
import type { WineRecord } from '@wine/model';
import { checkRecord } from '@wine/prediction-service';
import type { DeadLetterCode } from './errors';
import type { InputMessage } from './transport';

/** The one field of an input entry (stable contract). */
export const RECORD_FIELD = 'record';

/** Problems listed in a dead letter's message; the rest are counted. */
const MAX_LISTED_PROBLEMS = 5;

export type Decoded =
  | { readonly ok: true; readonly record: WineRecord }
  | { readonly ok: false; readonly code: DeadLetterCode; readonly message: string };

const fail = (code: DeadLetterCode, message: string): Decoded => ({ ok: false, code, message });

export function decodeMessage(message: InputMessage, maxRecordBytes: number): Decoded {
  const fields = message.fields;
  if (fields === null) {
    return fail(
      'INPUT_DELETED',
      'the entry was deleted from the input stream before it was scored',
    );
  }
  const names = Object.keys(fields);
  const raw = fields[RECORD_FIELD];
  if (raw === undefined || names.length !== 1) {
    const shown = names.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 40)));
    const more = names.length > 5 ? ` and ${names.length - 5} more` : '';
    return fail(
      'INVALID_MESSAGE',
      `an input entry has exactly one field "${RECORD_FIELD}" (the JSON of one wine); this one has ${names.length === 0 ? 'none' : `${shown.join(', ')}${more}`}`,
    );
  }
  // UTF-8 takes 1–3 bytes per UTF-16 unit: count bytes only when the length cannot decide.
  if (
    raw.length > maxRecordBytes ||
    (raw.length * 3 > maxRecordBytes && Buffer.byteLength(raw) > maxRecordBytes)
  ) {
    return fail(
      'PAYLOAD_TOO_LARGE',
      `the record is ${Buffer.byteLength(raw)} bytes; the limit is ${maxRecordBytes} (STREAM_MAX_RECORD_BYTES)`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return fail(
      'MALFORMED_JSON',
      `the record is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const check = checkRecord(value, '', MAX_LISTED_PROBLEMS);
  if (check.ok) return { ok: true, record: check.record };
  const listed = check.details.map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`));
  const unlisted = check.problems - listed.length;
  return fail(
    check.code === 'IMPOSSIBLE_VALUE' ? 'IMPOSSIBLE_VALUE' : 'INVALID_INPUT',
    listed.join('; ') + (unlisted > 0 ? `; and ${unlisted} more problem(s)` : ''),
  );
}
