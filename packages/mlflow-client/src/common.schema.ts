import { z } from 'zod';

/**
 * Building blocks for MLflow replies (verified against MLflow 3.17.2): int64 arrives as a JSON
 * number but older/other servers send numeric strings; unset fields and empty lists are
 * omitted; key/value lists are turned into records for callers.
 */

export const int64 = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/** Protobuf JSON spells non-finite doubles as strings; the server returns NaN that way. */
export const metricValue = z.union([
  z.number(),
  z
    .enum(['NaN', 'Infinity', '-Infinity'])
    .transform((v) =>
      v === 'NaN'
        ? Number.NaN
        : v === 'Infinity'
          ? Number.POSITIVE_INFINITY
          : Number.NEGATIVE_INFINITY,
    ),
]);

const keyValue = z.object({ key: z.string(), value: z.string().optional().default('') });

/** `[{key, value}]` (possibly missing) → `{key: value}`; later duplicates win like the server's. */
export const keyValueRecord = z
  .array(keyValue)
  .optional()
  .transform((entries): Record<string, string> => {
    const record: Record<string, string> = {};
    for (const entry of entries ?? []) record[entry.key] = entry.value;
    return record;
  });

export const emptyReply = z.object({});

export const fileInfo = z
  .object({ path: z.string(), is_dir: z.boolean().optional(), file_size: int64.optional() })
  .transform((f) => ({
    path: f.path,
    isDir: f.is_dir ?? false,
    ...(f.file_size === undefined ? {} : { fileSize: f.file_size }),
  }));

/** GET /mlflow-artifacts/artifacts?path= : `{}` for a missing or non-directory path. */
export const listArtifactsReply = z.object({ files: z.array(fileInfo).optional().default([]) });

export type ArtifactFileInfo = z.output<typeof fileInfo>;
