import { z } from 'zod';
import type { RunDefaults } from '../config';
import type { RunParams } from '../steps/step-io.schema';

const positiveInt = z.coerce.number().int().positive();

/** Options of `pipeline run`, validated once at the process edge. */
export const runOptionsSchema = z.object({
  data: z.string().min(1).optional(),
  dataSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
    .optional(),
  model: z.enum(['tree', 'forest']).optional(),
  search: z.enum(['grid', 'random']).default('grid'),
  nIter: positiveInt.default(50),
  cv: positiveInt.min(2).optional(),
  testSize: z.coerce.number().gt(0).lt(1).default(0.2),
  validationSize: z.coerce.number().gt(0).lt(1).default(0.2),
  seed: z.coerce.number().int().nonnegative().default(42),
  minImprovement: z.coerce.number().nonnegative().optional(),
  wait: z.boolean().default(false),
  inline: z.boolean().default(false),
  json: z.boolean().default(false),
});

export type RunOptions = z.infer<typeof runOptionsSchema>;

export function runParams(options: Partial<RunOptions>, defaults: RunDefaults): RunParams {
  return {
    data: options.data ?? defaults.data,
    ...((options.dataSha256 ?? defaults.dataSha256)
      ? { dataSha256: (options.dataSha256 ?? defaults.dataSha256)?.toLowerCase() }
      : {}),
    model: options.model ?? defaults.model,
    search: options.search ?? 'grid',
    nIter: options.nIter ?? 50,
    ...(options.cv === undefined ? {} : { cv: options.cv }),
    testSize: options.testSize ?? 0.2,
    validationSize: options.validationSize ?? 0.2,
    seed: options.seed ?? 42,
    experiment: defaults.experiment,
    registeredModel: defaults.registeredModel,
    minImprovement: options.minImprovement ?? defaults.minImprovement,
    maxRejectedShare: defaults.maxRejectedShare,
    feedbackMaxAgeDays: defaults.feedbackMaxAgeDays,
  };
}
