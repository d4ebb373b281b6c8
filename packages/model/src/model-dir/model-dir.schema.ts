import { z } from 'zod';

/** input_example.json as MLflow writes it for a DataFrame (pandas "split" orient, index optional). */
export const splitFrameSchema = z.object({
  columns: z.array(z.string()),
  data: z.array(z.array(z.union([z.number(), z.string()]))),
  index: z.array(z.union([z.number(), z.string()])).optional(),
});
