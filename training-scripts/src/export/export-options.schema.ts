import { z } from 'zod';
import { DEFAULT_ONNX_OP, ONNX_OPS } from '@wine/model';

/** CLI options of `export-onnx`, validated once at the process edge. */
export const exportOptionsSchema = z.object({
  dirs: z.array(z.string().min(1)).min(1, 'name at least one model directory'),
  op: z.enum(ONNX_OPS).default(DEFAULT_ONNX_OP),
  verify: z.string().min(1).optional(),
  skipInvalid: z.boolean().default(false),
  json: z.boolean().default(false),
});

export type ExportCliOptions = z.infer<typeof exportOptionsSchema>;
