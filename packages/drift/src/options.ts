/**
 * Drift options: Evidently's defaults, every one configurable. Validated with zod so a
 * process edge (the monitor's config, the CLI's flags) can reuse the same schema.
 */
import { z } from 'zod';
import { DriftError } from './errors';

export const NUMERICAL_METHODS = ['ks', 'wasserstein', 'psi'] as const;
export const CATEGORICAL_METHODS = ['chisquare', 'z', 'jensenshannon'] as const;
export const DRIFT_METHODS = [...NUMERICAL_METHODS, ...CATEGORICAL_METHODS] as const;

export type NumericalMethod = (typeof NUMERICAL_METHODS)[number];
export type CategoricalMethod = (typeof CATEGORICAL_METHODS)[number];
export type DriftMethod = (typeof DRIFT_METHODS)[number];
export type MethodChoice = DriftMethod | 'auto';

/** Tests report a p-value (drift when small), distances a distance (drift when large). */
export const METHOD_SCORE: Readonly<Record<DriftMethod, 'p_value' | 'distance'>> = {
  ks: 'p_value',
  chisquare: 'p_value',
  z: 'p_value',
  wasserstein: 'distance',
  psi: 'distance',
  jensenshannon: 'distance',
};

/** Evidently's default threshold per method (StatTest.default_threshold). */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  psi: 0.1,
  jensenshannon: 0.1,
};

const methodChoice = z.enum(['auto', ...DRIFT_METHODS]);
const threshold = z.number().positive();

export const driftOptionsSchema = z
  .object({
    /** Below this many current rows the result is "not enough data", never drift. */
    minRows: z.number().int().nonnegative().default(200),
    /** Dataset drift when at least this share of the tested columns drift (Evidently: 0.5). */
    driftShare: z.number().gt(0).lte(1).default(0.5),
    /** `auto` uses the tests up to this many reference rows, the distances above (Evidently: 1000). */
    smallReferenceRows: z.number().int().nonnegative().default(1000),
    numericalMethod: methodChoice.default('auto'),
    categoricalMethod: methodChoice.default('auto'),
    /** Per-method thresholds (p-value for tests, distance for distances). */
    thresholds: z.partialRecord(z.enum(DRIFT_METHODS), threshold).default({}),
    /** Per-column method and threshold, overriding the above. */
    columns: z
      .record(
        z.string(),
        z.object({ method: methodChoice.optional(), threshold: threshold.optional() }).strict(),
      )
      .default({}),
  })
  .strict();

/** What callers pass: every field optional. */
export type DriftOptions = z.input<typeof driftOptionsSchema>;
export type ResolvedDriftOptions = z.output<typeof driftOptionsSchema>;

export function resolveDriftOptions(options: DriftOptions = {}): ResolvedDriftOptions {
  const parsed = driftOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new DriftError('DRIFT_OPTIONS_INVALID', 'invalid drift options', {
      details: parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`),
    });
  }
  for (const [method, value] of Object.entries(parsed.data.thresholds)) {
    if (METHOD_SCORE[method as DriftMethod] === 'p_value' && value >= 1) {
      throw new DriftError(
        'DRIFT_OPTIONS_INVALID',
        `threshold for ${method} is a p-value: give a number below 1, got ${value}`,
      );
    }
  }
  return parsed.data;
}
