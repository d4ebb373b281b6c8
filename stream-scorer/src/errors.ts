/**
 * Codes of dead-letter entries (`input_id, code, message`). Consumers of the dead-letter
 * stream branch on them: append-only, never rename or reuse a code (convention C9). The
 * record codes are the prediction API's, so one wine is judged the same on both paths.
 */
export const DEAD_LETTER_CODES = [
  'MALFORMED_JSON',
  'INVALID_INPUT',
  'IMPOSSIBLE_VALUE',
  'PAYLOAD_TOO_LARGE',
  'INVALID_MESSAGE',
  'INPUT_DELETED',
  'TOO_MANY_DELIVERIES',
] as const;

export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

/** One line per code, for the README. */
export const DEAD_LETTER_DOCS: Record<DeadLetterCode, string> = {
  MALFORMED_JSON: 'The `record` field is not valid JSON.',
  INVALID_INPUT:
    'The record misses a feature, has a non-number or non-finite value, an unknown field, or a wine_type other than red/white (as the API’s 422 INVALID_INPUT).',
  IMPOSSIBLE_VALUE: 'A value is physically impossible (as the API’s 422 IMPOSSIBLE_VALUE).',
  PAYLOAD_TOO_LARGE: 'The `record` field is longer than STREAM_MAX_RECORD_BYTES.',
  INVALID_MESSAGE: 'The entry does not have exactly one field, `record`.',
  INPUT_DELETED:
    'The entry was deleted from the input stream (XDEL, XTRIM, MAXLEN) after it was delivered and before it was scored; only its id is known.',
  TOO_MANY_DELIVERIES:
    'The entry was delivered more than STREAM_MAX_DELIVERIES times without being acknowledged (every consumer holding it died): set aside instead of taking down the next one.',
};

/** Startup problems with the streams themselves (wrong key type, Redis refusing the group). */
export class StreamSetupError extends Error {
  override readonly name = 'StreamSetupError';
  readonly code = 'STREAM_SETUP_FAILED';
}
