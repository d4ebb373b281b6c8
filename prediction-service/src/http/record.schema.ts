/**
 * The one wine record schema: requests are validated with it and /openapi.json is generated
 * from it. Physical bounds live here (not in the model) because they are facts about wine,
 * whatever the training data covered.
 */
import { EXAMPLE_WINE, FEATURE_NAMES, FEATURE_RULES, WINE_TYPES } from '@wine/model';
import type { FeatureName, WineRecord } from '@wine/model';
import { z } from 'zod';
import { MAX_ERROR_DETAILS, ServiceError } from '../errors';
import type { ErrorDetail, ServiceErrorCode } from '../errors';

interface FeatureDoc {
  readonly unit: string;
  readonly description: string;
}

/** Units and wording for the OpenAPI document; the bounds themselves are FEATURE_RULES. */
const FEATURE_DOCS: Record<FeatureName, FeatureDoc> = {
  fixed_acidity: { unit: 'g/dm³', description: 'Fixed acidity (tartaric acid)' },
  volatile_acidity: { unit: 'g/dm³', description: 'Volatile acidity (acetic acid)' },
  citric_acid: { unit: 'g/dm³', description: 'Citric acid' },
  residual_sugar: { unit: 'g/dm³', description: 'Residual sugar' },
  chlorides: { unit: 'g/dm³', description: 'Chlorides (sodium chloride)' },
  free_sulfur_dioxide: { unit: 'mg/dm³', description: 'Free sulfur dioxide' },
  total_sulfur_dioxide: { unit: 'mg/dm³', description: 'Total sulfur dioxide' },
  density: { unit: 'g/cm³', description: 'Density' },
  ph: { unit: 'pH', description: 'pH' },
  sulphates: { unit: 'g/dm³', description: 'Sulphates (potassium sulphate)' },
  alcohol: { unit: '% vol', description: 'Alcohol' },
};

/**
 * Physically possible values per feature (shared with the CSV loader through FEATURE_RULES);
 * anything outside is a 422 IMPOSSIBLE_VALUE. `max` is absent when unbounded.
 */
export const PHYSICAL_BOUNDS: Record<FeatureName, { min: number; max?: number }> =
  Object.fromEntries(
    FEATURE_NAMES.map((name) => {
      const { min, max } = FEATURE_RULES[name];
      return [name, Number.isFinite(max) ? { min, max } : { min }];
    }),
  ) as Record<FeatureName, { min: number; max?: number }>;

/** One feature's number: its physical bounds and documentation. */
export function featureSchema(name: FeatureName): z.ZodNumber {
  const b = PHYSICAL_BOUNDS[name];
  const doc = FEATURE_DOCS[name];
  const base = z.number().min(b.min);
  return (b.max === undefined ? base : base.max(b.max)).meta({
    description: `${doc.description}, ${doc.unit}`,
  });
}

const shape = Object.fromEntries(
  FEATURE_NAMES.map((name) => [name, featureSchema(name)]),
) as Record<FeatureName, z.ZodNumber>;

/** Strict: unknown fields are rejected, so a typo never silently becomes a missing feature. */
export const WineRecordSchema = z
  .strictObject({
    ...shape,
    wine_type: z.enum(WINE_TYPES).meta({ description: 'Wine colour' }),
  })
  .meta({
    id: 'WineRecord',
    description: 'One wine: the 11 physicochemical measurements and its colour.',
    examples: [{ ...EXAMPLE_WINE }],
  });

// Compile-time guarantee that the schema produces exactly the model's record type.
type SchemaOutput = z.output<typeof WineRecordSchema>;
export type SchemaMatchesWineRecord = [SchemaOutput] extends [WineRecord]
  ? [WineRecord] extends [SchemaOutput]
    ? true
    : never
  : never;
export const SCHEMA_MATCHES_WINE_RECORD: SchemaMatchesWineRecord = true;

const CHECKS = FEATURE_NAMES.map((name) => ({ name, ...PHYSICAL_BOUNDS[name] }));
const KEY_COUNT = FEATURE_NAMES.length + 1;
const KNOWN_KEYS: ReadonlySet<string> = new Set([...FEATURE_NAMES, 'wine_type']);

/**
 * No valid request has an object (or CSV / dataframe_split header) wider than a record's 12
 * fields. Wider than this, the input is refused before validation: V8 turns an object with
 * thousands of distinct keys into a hash table key by key, and 1 MiB of unknown keys cost
 * ~250 ms of CPU per request to parse and validate.
 */
export const MAX_OBJECT_FIELDS = 64;

export function tooManyFields(where = 'An object in the body'): ServiceError {
  return new ServiceError(
    'INVALID_INPUT',
    `${where} has more than ${MAX_OBJECT_FIELDS} fields; a wine record has ${KEY_COUNT}. Nothing was validated.`,
    { details: [{ path: '', message: `more than ${MAX_OBJECT_FIELDS} fields` }] },
  );
}

/**
 * The hot path: a hand-compiled equivalent of WineRecordSchema (same bounds, strictness and
 * finiteness), about 10× cheaper than a zod parse. It only ever says "valid"; anything else
 * goes through zod, which stays the authority and produces the error details. A test feeds
 * both the same mutated records and requires identical verdicts.
 */
export function isValidRecord(value: unknown): value is WineRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  if (Object.keys(r).length !== KEY_COUNT) return false;
  for (const { name, min, max } of CHECKS) {
    const v = r[name];
    // `v - v === 0` rejects NaN and ±Infinity.
    if (typeof v !== 'number' || v - v !== 0 || v < min || (max !== undefined && v > max)) {
      return false;
    }
  }
  const type = r['wine_type'];
  return type === 'red' || type === 'white';
}

/**
 * The number of problems zod reports for `value` (one per missing or invalid feature, one per
 * unknown key, one for a non-object), counted without zod, and whether they are all bound
 * violations. Used once the error details are full: the rest of a batch is only counted.
 */
export function tallyProblems(value: unknown): { problems: number; onlyBounds: boolean } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: 1, onlyBounds: false };
  }
  const r = value as Record<string, unknown>;
  let problems = 0;
  let onlyBounds = true;
  for (const { name, min, max } of CHECKS) {
    const v = r[name];
    if (typeof v !== 'number' || v - v !== 0) {
      problems++;
      onlyBounds = false;
    } else if (v < min || (max !== undefined && v > max)) {
      problems++;
    }
  }
  const type = r['wine_type'];
  if (type !== 'red' && type !== 'white') {
    problems++;
    onlyBounds = false;
  }
  for (const key of Object.keys(r)) {
    if (!KNOWN_KEYS.has(key)) {
      problems++;
      onlyBounds = false;
    }
  }
  return { problems, onlyBounds };
}

export type RecordCheck =
  | { ok: true; record: WineRecord }
  | {
      ok: false;
      code: ServiceErrorCode;
      /** At most `room` entries. */
      details: ErrorDetail[];
      /** Every problem found, listed or not. */
      problems: number;
    };

/**
 * Validates one record; `path` prefixes error paths (`instances[3]`). Bound violations
 * alone give IMPOSSIBLE_VALUE, any structural problem gives INVALID_INPUT. At most `room`
 * problems are described (a record may carry 100,000 unknown keys); all are counted.
 */
export function checkRecord(value: unknown, path: string, room = MAX_ERROR_DETAILS): RecordCheck {
  if (isValidRecord(value)) return { ok: true, record: value };
  if (room <= 0) {
    const { problems, onlyBounds } = tallyProblems(value);
    return {
      ok: false,
      code: onlyBounds ? 'IMPOSSIBLE_VALUE' : 'INVALID_INPUT',
      details: [],
      problems,
    };
  }
  const result = WineRecordSchema.safeParse(value);
  if (result.success) return { ok: true, record: result.data };
  let onlyBounds = true;
  let problems = 0;
  const details: ErrorDetail[] = [];
  for (const issue of result.error.issues) {
    if (issue.code !== 'too_small' && issue.code !== 'too_big') onlyBounds = false;
    if (issue.code === 'unrecognized_keys') {
      problems += issue.keys.length;
      for (const key of issue.keys.slice(0, Math.max(0, room - details.length))) {
        details.push({ path: joinPath(path, [key]), message: `unknown field "${key}"` });
      }
      continue;
    }
    problems++;
    if (details.length < room) {
      details.push({ path: joinPath(path, issue.path), message: describe(issue, value) });
    }
  }
  return { ok: false, code: onlyBounds ? 'IMPOSSIBLE_VALUE' : 'INVALID_INPUT', details, problems };
}

function describe(issue: z.core.$ZodIssue, input: unknown): string {
  const field = String(issue.path[issue.path.length - 1] ?? '');
  const got = fieldValue(input, field);
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const rule = (FEATURE_RULES as Partial<Record<string, { description: string }>>)[field];
      return `${String(got)} is physically impossible: ${rule?.description ?? issue.message}`;
    }
    case 'invalid_type':
      if (issue.path.length === 0) return 'must be a JSON object with the wine features';
      if (got === undefined) return 'is required';
      return `must be a finite number, got ${typeof got === 'number' ? String(got) : got === null ? 'null' : typeof got}`;
    case 'invalid_value':
      return `must be one of ${WINE_TYPES.join(', ')}`;
    default:
      return issue.message;
  }
}

function fieldValue(input: unknown, field: string): unknown {
  return typeof input === 'object' && input !== null
    ? (input as Record<string, unknown>)[field]
    : undefined;
}

function joinPath(prefix: string, parts: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of parts) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
