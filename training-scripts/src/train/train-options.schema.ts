import { z } from 'zod';
import { DEFAULT_MIN_IMPROVEMENT } from '../register/decide-promotion';

const positiveInt = z.coerce.number().int().positive();

/** CLI options of `train`, validated once at the process edge. */
export const trainOptionsSchema = z
  .object({
    data: z.string().optional(),
    train: z.string().optional(),
    test: z.string().optional(),
    validation: z.string().optional(),
    model: z.enum(['tree', 'forest']).default('tree'),
    search: z.enum(['grid', 'random']).default('grid'),
    nIter: positiveInt.default(50),
    /** JSON text, or @file with it; parsed by parseSpace in the CLI. */
    space: z.string().min(1).optional(),
    cv: positiveInt.min(2).optional(),
    testSize: z.coerce.number().gt(0).lt(1).default(0.2),
    validationSize: z.coerce.number().gt(0).lt(1).default(0.2),
    seed: z.coerce.number().int().nonnegative().default(42),
    workers: positiveInt.optional(),
    /** --no-depth-sharing: fit every candidate on its own (same results; for checking). */
    depthSharing: z.boolean().default(true),
    output: z.string().default('model'),
    skipInvalid: z.boolean().default(false),
    json: z.boolean().default(false),
    trackingUri: z.string().min(1).optional(),
    experiment: z.string().min(1).default('wine-quality'),
    register: z.boolean().default(false),
    registeredModel: z.string().min(1).default('wine-quality'),
    minImprovement: z.coerce.number().nonnegative().default(DEFAULT_MIN_IMPROVEMENT),
  })
  .superRefine((o, ctx) => {
    const files = o.train !== undefined || o.test !== undefined;
    if (files && (o.train === undefined || o.test === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: '--train and --test go together: give both CSV files',
      });
    }
    if (o.validation !== undefined && !files) {
      ctx.addIssue({
        code: 'custom',
        message: '--validation <csv> goes with --train/--test (with --data the split carves it)',
      });
    }
    if (o.validation !== undefined && o.cv !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'use either --validation <csv> or --cv <k> to choose the candidate, not both',
      });
    }
    if (!files && o.cv === undefined && o.testSize + o.validationSize >= 0.95) {
      ctx.addIssue({
        code: 'custom',
        message: `--test-size ${o.testSize} + --validation-size ${o.validationSize} leave too few training rows`,
      });
    }
    if (files && o.data !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'use either --data <dir> or --train/--test, not both',
      });
    }
  });

export type TrainOptions = z.infer<typeof trainOptionsSchema>;
