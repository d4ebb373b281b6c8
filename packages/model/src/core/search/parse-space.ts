/**
 * A search space written as JSON text (the train CLI's --space). Keys are scikit-learn's
 * snake_case names or ours; values are lists or `{min, max, log?, integer?}` ranges.
 *
 * Numbers keep their Python type from the text, as in a scikit-learn param_grid: for the
 * count-or-fraction parameters (min_samples_split, min_samples_leaf, max_features,
 * max_samples) `1` is a count and `1.0` (or `1e0`) a fraction — `{"max_features": [1, 1.0]}`
 * is one feature and all features. `{"kind": "fraction", "value": 1}` is accepted too.
 */
import { ModelError } from '../../errors';
import { COUNT_OR_FRACTION_PARAMS, count, fraction, isAmount } from '../tree/params';
import type { ParamScalar } from '../tree/params';
import type { ParamRange, ParamSpace } from './space';

/** A JSON number with the way it was written. */
class NumberLiteral {
  constructor(
    readonly value: number,
    /** Written without a fraction or exponent (`3`, `-1`): a Python int. */
    readonly integral: boolean,
  ) {}
}

type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

// Node ≥ 21 hands revivers the literal's source text (TC39 "JSON.parse source text access").
const keepLiterals: SourceReviver = (_key, value, context) =>
  typeof value === 'number'
    ? new NumberLiteral(
        value,
        context?.source === undefined ? Number.isInteger(value) : /^-?\d+$/.test(context.source),
      )
    : value;

function invalid(message: string): ModelError {
  return new ModelError('PARAMS_INVALID', `--space: ${message}`);
}

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function plainNumber(value: unknown, where: string): number {
  if (value instanceof NumberLiteral) return value.value;
  throw invalid(`${where} must be a number, got ${JSON.stringify(value)}`);
}

function listedValue(key: string, value: unknown, where: string): ParamScalar {
  const amount = COUNT_OR_FRACTION_PARAMS.includes(key);
  if (value instanceof NumberLiteral) {
    if (!amount) return value.value;
    return value.integral ? count(value.value) : fraction(value.value);
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (isRecord(value)) {
    const explicit = { kind: value['kind'], value: plainValue(value['value']) };
    if (amount && isAmount(explicit) && Object.keys(value).length === 2) return explicit;
  }
  throw invalid(
    `${where}: ${JSON.stringify(unwrap(value))} is not a value` +
      (amount ? ' (a number, or {"kind": "count"|"fraction", "value": n})' : ''),
  );
}

function plainValue(value: unknown): unknown {
  return value instanceof NumberLiteral ? value.value : value;
}

/** For messages: the parsed value with literals turned back into numbers. */
function unwrap(value: unknown): unknown {
  if (value instanceof NumberLiteral) return value.value;
  if (Array.isArray(value)) return value.map(unwrap);
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  return value;
}

function range(value: Record<string, unknown>, where: string): ParamRange {
  const unknown = Object.keys(value).filter((k) => !['min', 'max', 'log', 'integer'].includes(k));
  if (unknown.length > 0) throw invalid(`${where}: unknown range field(s) ${unknown.join(', ')}`);
  const out: ParamRange = {
    min: plainNumber(value['min'], `${where}.min`),
    max: plainNumber(value['max'], `${where}.max`),
  };
  for (const flag of ['log', 'integer'] as const) {
    const v = value[flag];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw invalid(`${where}.${flag} must be true or false`);
    out[flag] = v;
  }
  return out;
}

/** Parses and shapes a space; names and values are checked against a learner by checkSpace. */
export function parseSpace(text: string): ParamSpace {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, keepLiterals);
  } catch (error) {
    throw invalid(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(parsed)) {
    throw invalid('must be a JSON object such as {"max_depth": [4, 8, null]}');
  }
  const space: ParamSpace = {};
  for (const [rawKey, values] of Object.entries(parsed)) {
    const key = camel(rawKey);
    if (key in space) throw invalid(`"${rawKey}" is given twice`);
    if (Array.isArray(values)) {
      space[key] = values.map((v, i) => listedValue(key, v, `${rawKey}[${i}]`));
    } else if (isRecord(values) && ('min' in values || 'max' in values)) {
      space[key] = range(values, rawKey);
    } else {
      throw invalid(`"${rawKey}" needs a list of values or a {min, max} range`);
    }
  }
  return space;
}
