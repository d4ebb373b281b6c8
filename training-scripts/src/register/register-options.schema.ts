import { z } from 'zod';
import { DEFAULT_MIN_IMPROVEMENT } from './decide-promotion';

/** CLI options of `register`, validated once at the process edge. */
export const registerOptionsSchema = z
  .object({
    runId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'a run id is 32 lowercase hex digits')
      .optional(),
    experiment: z.string().min(1).default('wine-quality'),
    registeredModel: z.string().min(1).default('wine-quality'),
    minImprovement: z.coerce.number().nonnegative().default(DEFAULT_MIN_IMPROVEMENT),
    trackingUri: z.string().min(1).optional(),
    data: z.string().optional(),
    test: z.string().optional(),
    testSize: z.coerce.number().gt(0).lt(1).default(0.2),
    seed: z.coerce.number().int().nonnegative().default(42),
    skipInvalid: z.boolean().default(false),
    json: z.boolean().default(false),
  })
  .refine((o) => !(o.data !== undefined && o.test !== undefined), {
    error: 'use either --data <dir> (seeded split) or --test <csv>, not both',
  });

export type RegisterCliOptions = z.infer<typeof registerOptionsSchema>;
