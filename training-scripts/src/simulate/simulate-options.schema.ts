import { FEATURE_NAMES, type FeatureName } from '@wine/model';
import { z } from 'zod';
import { isFeatureName } from './drift-injection';

/** `alcohol=+1.5` → ['alcohol', 1.5], for --shift and --scale (repeatable). */
const featureValue = (flag: string) =>
  z.string().transform((s, ctx): [FeatureName, number] => {
    const [name = '', raw = ''] = s.split('=');
    const value = Number(raw);
    if (!isFeatureName(name) || raw === '' || !Number.isFinite(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${s}": give <feature>=<number> (${flag}), feature one of ${FEATURE_NAMES.join(', ')}`,
      });
      return z.NEVER;
    }
    return [name, value];
  });

/** CLI options of `simulate`, validated once at the process edge. */
export const simulateOptionsSchema = z
  .object({
    to: z.enum(['http', 'csv', 'stream']).default('http'),
    url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:9696'),
    out: z.string().min(1).optional(),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be redis://host:port or rediss://host:port')
      .default('redis://127.0.0.1:6379'),
    stream: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 printable characters without spaces')
      .default('wine:measurements'),
    data: z.string().optional(),
    csv: z.string().optional(),
    rate: z.coerce.number().positive().max(100_000).default(20),
    requests: z.coerce.number().int().positive().optional(),
    duration: z.coerce.number().positive().optional(),
    concurrency: z.coerce.number().int().positive().max(10_000).default(32),
    shift: z.array(featureValue('--shift')).default([]),
    scale: z.array(featureValue('--scale')).default([]),
    whiteShare: z.coerce.number().min(0).max(1).optional(),
    feedbackFraction: z.coerce.number().min(0).max(1).default(0.3),
    feedbackDelay: z.coerce.number().nonnegative().default(5),
    feedbackToken: z.string().min(1).optional(),
    order: z.enum(['shuffle', 'sequential']).default('shuffle'),
    seed: z.coerce.number().int().nonnegative().default(42),
    timeout: z.coerce.number().positive().default(10),
    json: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.data !== undefined && o.csv !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'replay either --data <dir> or --csv <file>, not both',
      });
    }
    if (o.to === 'csv' && o.out === undefined) {
      ctx.addIssue({ code: 'custom', message: '--to csv writes a file: give --out <file.csv>' });
    }
  });

export type SimulateOptions = z.infer<typeof simulateOptionsSchema>;
