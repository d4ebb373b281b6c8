import { EXAMPLE_WINE } from '@wine/model';
import { commitArguments } from './commit-script';
import { decodeMessage } from './message';
import { compareIds, idRange, idTimeMs } from './stream-ids';
import type { InputMessage } from './transport';

const entry = (fields: Record<string, string> | null, id = '1718000000000-0'): InputMessage => ({
  id,
  fields,
  enqueuedAt: idTimeMs(id),
});
const wine = JSON.stringify(EXAMPLE_WINE);

describe('decodeMessage: the API’s rules on one stream entry', () => {
  it('accepts a wine in the contract’s names', () => {
    expect(decodeMessage(entry({ record: wine }), 16_384)).toEqual({
      ok: true,
      record: EXAMPLE_WINE,
    });
  });

  it.each([
    [{ record: '{"alcohol": ' }, 'MALFORMED_JSON', /not valid JSON/],
    [
      { record: JSON.stringify({ ...EXAMPLE_WINE, alcohol: 150 }) },
      'IMPOSSIBLE_VALUE',
      /^alcohol: 150 is physically impossible/,
    ],
    [
      { record: JSON.stringify({ ...EXAMPLE_WINE, ph: 'acid' }) },
      'INVALID_INPUT',
      /^ph: must be a finite number, got string/,
    ],
    [
      { record: JSON.stringify({ ...EXAMPLE_WINE, colour: 'red' }) },
      'INVALID_INPUT',
      /unknown field "colour"/,
    ],
    [{ record: '[1,2]' }, 'INVALID_INPUT', /must be a JSON object/],
    [
      { record: wine, trace: 'x' },
      'INVALID_MESSAGE',
      /exactly one field "record".*"record", "trace"/,
    ],
    [{ wine }, 'INVALID_MESSAGE', /this one has "wine"/],
    [{}, 'INVALID_MESSAGE', /this one has none/],
    [null, 'INPUT_DELETED', /deleted/],
  ])('%j → %s', (fields, code, message) => {
    const decoded = decodeMessage(entry(fields), 16_384);
    expect(decoded).toMatchObject({ ok: false, code });
    expect(decoded.ok ? '' : decoded.message).toMatch(message);
  });

  it('lists at most five problems and counts the rest', () => {
    const decoded = decodeMessage(entry({ record: '{}' }), 16_384);
    expect(decoded.ok ? '' : decoded.message).toMatch(/is required.*and 7 more problem\(s\)$/);
  });

  it('measures the record in UTF-8 bytes before parsing it', () => {
    const padded = JSON.stringify({ ...EXAMPLE_WINE, wine_type: 'é'.repeat(200) });
    expect(decodeMessage(entry({ record: padded }), 300)).toMatchObject({
      ok: false,
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(decodeMessage(entry({ record: 'x'.repeat(20_000) }), 16_384)).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
  });
});

describe('stream ids', () => {
  it('orders ids numerically, not as text, and reads their time', () => {
    expect(compareIds('9-0', '10-0')).toBe(-1);
    expect(compareIds('10-10', '10-9')).toBe(1);
    expect(compareIds('10-18446744073709551615', '10-18446744073709551614')).toBe(1);
    expect(compareIds('7-1', '7-1')).toBe(0);
    expect(compareIds('7', '7-0')).toBe(0);
    expect(compareIds('1718000000000-0', '999999999999-5')).toBe(1);
    // Same order as numbers, on a seeded sample of ids.
    const ids = Array.from({ length: 200 }, (_, i) => `${(i * 7919) % 1000}-${(i * 104729) % 37}`);
    const numeric = (x: string) => x.split('-').map(Number) as [number, number];
    for (const a of ids) {
      for (const b of ids.slice(0, 20)) {
        const [am, as] = numeric(a);
        const [bm, bs] = numeric(b);
        expect(compareIds(a, b)).toBe(Math.sign(am - bm || as - bs));
      }
    }
    expect(idRange(['10-1', '9-5', '10-0', '11-0'])).toEqual({ min: '9-5', max: '11-0' });
    expect(idTimeMs('1718000000000-3')).toBe(1_718_000_000_000);
    expect(idTimeMs('garbage')).toBeUndefined();
  });

  it('commit arguments cover the batch’s id range and carry every result', () => {
    const args = commitArguments(
      {
        outputs: [
          { inputId: '5-1', prediction: 5.25 },
          { inputId: '3-0', prediction: 6 },
        ],
        modelVersion: '7',
        deadLetters: [{ inputId: '9-0', code: 'MALFORMED_JSON', message: 'bad' }],
      },
      { group: 'g', consumer: 'c', maxLen: 0 },
    );
    expect(args?.slice(0, 8)).toEqual(['g', 'c', '7', 0, 2, 1, '3-0', '9-0']);
    expect(args?.slice(9)).toEqual(['5-1', '5.25', '3-0', '6', '9-0', 'MALFORMED_JSON', 'bad']);
    expect(
      commitArguments(
        { outputs: [], modelVersion: '', deadLetters: [] },
        {
          group: 'g',
          consumer: 'c',
          maxLen: 0,
        },
      ),
    ).toBeUndefined();
  });
});
