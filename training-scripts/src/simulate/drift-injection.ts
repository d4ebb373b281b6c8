/**
 * Drift on purpose (pure): shifted or scaled features and a different colour mix, so a
 * simulated stream shows what the monitor must catch. Values stay inside FEATURE_RULES, so
 * the service scores every row instead of answering 422.
 */
import { FEATURE_NAMES, FEATURE_RULES, type FeatureName, type WineRecord } from '@wine/model';

export interface DriftInjection {
  /** Added to a feature (`--shift alcohol=+1.5`). */
  readonly shift: Readonly<Partial<Record<FeatureName, number>>>;
  /** Multiplies a feature (`--scale sulphates=1.3`), after any shift. */
  readonly scale: Readonly<Partial<Record<FeatureName, number>>>;
  /** Share of white wines in the stream (`--white-share 0.8`); undefined keeps the data's mix. */
  readonly whiteShare?: number;
}

export const NO_DRIFT: DriftInjection = { shift: {}, scale: {} };

export function isFeatureName(name: string): name is FeatureName {
  return (FEATURE_NAMES as readonly string[]).includes(name);
}

/** The record with shifts and scales applied, clamped to the physically possible range. */
export function injectDrift(record: WineRecord, drift: DriftInjection): WineRecord {
  const out: WineRecord = { ...record };
  for (const name of FEATURE_NAMES) {
    const shift = drift.shift[name];
    const scale = drift.scale[name];
    if (shift === undefined && scale === undefined) continue;
    const rule = FEATURE_RULES[name];
    const value = (record[name] + (shift ?? 0)) * (scale ?? 1);
    // 12 significant digits: 9.4 + 1.5 is 10.9, not 10.900000000000000355.
    out[name] = Math.min(rule.max, Math.max(rule.min, Number(value.toPrecision(12))));
  }
  return out;
}

export function describeInjection(drift: DriftInjection): string {
  const parts = [
    ...Object.entries(drift.shift).map(([k, v]) => `${k} ${v >= 0 ? '+' : ''}${v}`),
    ...Object.entries(drift.scale).map(([k, v]) => `${k} ×${v}`),
    ...(drift.whiteShare === undefined ? [] : [`white share ${drift.whiteShare}`]),
  ];
  return parts.length === 0 ? 'none' : parts.join(', ');
}
