import { EXAMPLE_WINE, FEATURE_NAMES, createRng } from '@wine/model';
import { WineRecordSchema, checkRecord, isValidRecord, tallyProblems } from './record.schema';

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
      // An own "__proto__" key, as JSON.parse creates it.
      if (rng.int(10) === 0) {
        Object.defineProperty(r, '__proto__', {
          value: 1,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
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

  it('tallyProblems counts what zod reports, without zod', () => {
    const disagreements: unknown[] = [];
    for (const candidate of mutations(5000)) {
      if (isValidRecord(candidate)) continue;
      const check = checkRecord(candidate, '', 1000);
      if (check.ok) throw new Error('isValidRecord and checkRecord disagree');
      const tally = tallyProblems(candidate);
      const zod = { problems: check.problems, onlyBounds: check.code === 'IMPOSSIBLE_VALUE' };
      if (tally.problems !== zod.problems || tally.onlyBounds !== zod.onlyBounds) {
        disagreements.push({ candidate, tally, zod });
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('describes at most `room` problems and counts them all', () => {
    const wide = { ...GOOD, ph: 'x' } as Record<string, unknown>;
    for (let i = 0; i < 30; i++) wide[`extra${i}`] = i;
    const some = checkRecord(wide, '', 5);
    expect(some).toMatchObject({ ok: false, code: 'INVALID_INPUT', problems: 31 });
    expect(some.ok ? [] : some.details).toHaveLength(5);
    expect(checkRecord(wide, '', 0)).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      details: [],
      problems: 31,
    });
  });

  it('checkRecord returns the same record for valid input and zod details otherwise', () => {
    expect(checkRecord(GOOD, '')).toEqual({ ok: true, record: GOOD });
    expect(checkRecord({ ...GOOD, ph: 15 }, 'instances[2]')).toEqual({
      ok: false,
      code: 'IMPOSSIBLE_VALUE',
      details: [
        { path: 'instances[2].ph', message: '15 is physically impossible: pH must be within 0–14' },
      ],
      problems: 1,
    });
  });
});
