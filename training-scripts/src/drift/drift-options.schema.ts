import { DRIFT_METHODS, type DriftMethod, type MethodChoice } from '@wine/drift';
import { z } from 'zod';

const METHODS: readonly string[] = DRIFT_METHODS;
const method = z.enum(['auto', ...DRIFT_METHODS]);
const isMethod = (m: string): m is DriftMethod => METHODS.includes(m);
const positiveNumber = (s: string): number | undefined => {
  const n = Number(s);
  return s !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
};

/** `--threshold wasserstein=0.15` (repeatable): a method's threshold. */
const thresholdPair = z.string().transform((s, ctx): [DriftMethod, number] => {
  const [name = '', value = ''] = s.split('=');
  const threshold = positiveNumber(value);
  if (!isMethod(name) || threshold === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${s}": give <method>=<positive number>, method one of ${DRIFT_METHODS.join(', ')}`,
    });
    return z.NEVER;
  }
  return [name, threshold];
});

export interface ColumnRule {
  readonly name: string;
  readonly method?: MethodChoice;
  readonly threshold?: number;
}

/** `--column alcohol=psi`, `--column alcohol=psi:0.2`, `--column sulphates=:0.2` (repeatable). */
const columnRule = z.string().transform((s, ctx): ColumnRule => {
  const [name = '', rule = ''] = s.split('=');
  const [m = '', t] = rule.split(':');
  const threshold = t === undefined ? undefined : positiveNumber(t);
  if (
    name === '' ||
    (m !== '' && m !== 'auto' && !isMethod(m)) ||
    (t !== undefined && threshold === undefined)
  ) {
    ctx.addIssue({
      code: 'custom',
      message: `"${s}": give <column>=<method>[:<threshold>], e.g. alcohol=psi:0.2`,
    });
    return z.NEVER;
  }
  return {
    name,
    ...(m === '' ? {} : { method: m }),
    ...(threshold === undefined ? {} : { threshold }),
  };
});

/** CLI options of `drift`, validated once at the process edge. */
export const driftOptionsCliSchema = z.object({
  reference: z.string().min(1),
  current: z.string().min(1),
  model: z.string().min(1).optional(),
  json: z.boolean().default(false),
  html: z.string().min(1).optional(),
  minRows: z.coerce.number().int().nonnegative().default(200),
  driftShare: z.coerce.number().gt(0).lte(1).default(0.5),
  numMethod: method.default('auto'),
  catMethod: method.default('auto'),
  threshold: z.array(thresholdPair).default([]),
  column: z.array(columnRule).default([]),
  psiBins: z.coerce.number().int().min(2).default(10),
  skipInvalid: z.boolean().default(false),
  failOnDrift: z.boolean().default(false),
});

export type DriftCliOptions = z.infer<typeof driftOptionsCliSchema>;
