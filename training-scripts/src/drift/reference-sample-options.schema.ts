import { z } from 'zod';

/** CLI options of `reference-sample`, validated once at the process edge. */
export const referenceSampleOptionsSchema = z
  .object({
    model: z.string().min(1),
    data: z.string().optional(),
    train: z.string().optional(),
    testSize: z.coerce.number().gt(0).lt(1).default(0.2),
    seed: z.coerce.number().int().nonnegative().default(42),
    skipInvalid: z.boolean().default(false),
  })
  .refine((o) => !(o.data !== undefined && o.train !== undefined), {
    error: 'use either --data <dir> (with the split train used) or --train <csv>, not both',
  });

export type ReferenceSampleOptions = z.infer<typeof referenceSampleOptionsSchema>;
