import { EXAMPLE_WINE, FEATURE_NAMES, createRng } from '@wine/model';
import { WineRecordSchema, checkRecord, isValidRecord } from './record.schema';

const GOOD: Record<string, unknown> = { ...EXAMPLE_WINE };

const ODD_VALUES: unknown[] = [
  -1,
  -0,
  0,
  0.9,
  1.1,
  1.2,
  14,
  14.01,
  100,
  101,
  1e300,
  Infinity,
  -Infinity,
  NaN,
  '3.5',
  '',
  null,
  undefined,
  true,
  [],
  {},
  'red',
  'white',
  'rose',
];

/** Random single and double mutations of a valid record: missing, extra and odd values. */
function mutations(count: number): unknown[] {
  const rng = createRng(7);
  const keys = [...FEATURE_NAMES, 'wine_type'];
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const out: unknown[] = [GOOD, null, [], 'x', 5, {}];
  for (let i = 0; i < count; i++) {
    const r: Record<string, unknown> = { ...GOOD };
    for (let m = 0; m <= rng.int(2); m++) {
      const kind = rng.int(3);
      if (kind === 0) r[pick(keys)] = pick(ODD_VALUES);
      else if (kind === 1) Reflect.deleteProperty(r, pick(keys));
      else r[pick(['colour', 'quality', 'PH', '__proto__'])] = 1;
    }
    out.push(r);
  }
  return out;
}

describe('isValidRecord (hot path)', () => {
  it('agrees with the zod schema on thousands of mutated records', () => {
    let valid = 0;
    const disagreements: unknown[] = [];
    for (const candidate of mutations(5000)) {
      const zodSays = WineRecordSchema.safeParse(candidate).success;
      if (isValidRecord(candidate) !== zodSays) disagreements.push(candidate);
      if (zodSays) valid++;
    }
    expect(disagreements).toEqual([]);
    expect(valid).toBeGreaterThan(100); // the mutations exercise both verdicts
  });

  it('checkRecord returns the same record for valid input and zod details otherwise', () => {
    expect(checkRecord(GOOD, '')).toEqual({ ok: true, record: GOOD });
    expect(checkRecord({ ...GOOD, ph: 15 }, 'instances[2]')).toEqual({
      ok: false,
      code: 'IMPOSSIBLE_VALUE',
      details: [
        { path: 'instances[2].ph', message: '15 is physically impossible: pH must be within 0–14' },
      ],
    });
  });
});
