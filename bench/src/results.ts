/**
 * The shape of bench/results/<name>.json, checked with zod: `pnpm run bench` validates the
 * headline rows before it writes a file, and the README generator parses the committed files
 * with the same schema. Pure: no IO here.
 */
import { z } from 'zod';
import type { HeadlineRow } from './registry';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const headlineRowSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'lower-case words joined by . or -'),
    label: z.string().min(1),
    ours: z.object({ value: finite, unit: z.string() }).strict(),
    peer: z
      .object({ name: z.string().min(1), value: finite, unit: z.string() })
      .strict()
      .optional(),
    ratio: z
      .object({ value: finite, meaning: z.string().min(1) })
      .strict()
      .optional(),
    goal: z
      .object({
        op: z.enum(['<=', '>=', '<', '>']),
        value: finite,
        text: z.string().min(1),
      })
      .strict()
      .optional(),
    threads: z.string().min(1).optional(),
  })
  .strict();

// The schema and the contract in registry.ts must describe the same object.
type SameAs<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const SCHEMA_MATCHES_CONTRACT: SameAs<z.infer<typeof headlineRowSchema>, HeadlineRow> = true;

export const headlineSchema = z.array(headlineRowSchema).superRefine((rows, ctx) => {
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.id)) ctx.addIssue({ code: 'custom', message: `duplicate id ${row.id}` });
    seen.add(row.id);
  }
});

export const pythonVersionsSchema = z.object({
  interpreter: z.string(),
  python: z.string().nullable(),
  packages: z.record(z.string(), z.string().nullable()),
  error: z.string().optional(),
});
export type PythonVersions = z.infer<typeof pythonVersionsSchema>;

export const environmentSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  cpu: z.object({ model: z.string(), cores: z.number().int().positive(), logical: z.number() }),
  memoryGiB: z.number(),
  os: z.string(),
  node: z.string(),
  loadAverage: z.object({ start: z.array(z.number()), end: z.array(z.number()) }),
  python: pythonVersionsSchema.optional(),
});
export type Environment = z.infer<typeof environmentSchema>;

/** What the README generator needs from a results file; the measurements themselves pass through. */
export const resultFileSchema = z.looseObject({
  name: z.string(),
  command: z.string(),
  status: z.enum(['ok', 'failed']),
  error: z.string().optional(),
  seconds: z.number(),
  environment: environmentSchema,
  headline: headlineSchema,
});
export type ResultFile = z.infer<typeof resultFileSchema>;

export type GoalVerdict = 'met' | 'missed' | 'none';

/**
 * The ratio before rounding: ours ÷ peer or peer ÷ ours, whichever the row's (rounded) ratio
 * is; the rounded value when neither is within 1 % of it (a ratio of other numbers).
 */
export function exactRatio(row: HeadlineRow): number | undefined {
  if (row.ratio === undefined) return undefined;
  const shown = row.ratio.value;
  const ours = row.ours.value;
  const peer = row.peer?.value;
  if (peer === undefined || peer === 0 || ours === 0) return shown;
  const candidates = [ours / peer, peer / ours]
    .map((value) => ({ value, off: Math.abs(value - shown) / Math.abs(value) }))
    .filter((c) => c.off <= 0.01)
    .sort((a, b) => a.off - b.off);
  return candidates[0]?.value ?? shown;
}

/**
 * A row's goal applies to its ratio (unrounded, so 0.1003 shown as 0.1 misses "≤ 0.1"), or
 * to `ours` when there is no ratio.
 */
export function goalVerdict(row: HeadlineRow): GoalVerdict {
  if (row.goal === undefined) return 'none';
  const value = exactRatio(row) ?? row.ours.value;
  const target = row.goal.value;
  const met =
    row.goal.op === '<='
      ? value <= target
      : row.goal.op === '>='
        ? value >= target
        : row.goal.op === '<'
          ? value < target
          : value > target;
  return met ? 'met' : 'missed';
}

/** ours ÷ peer to three significant digits (`null` when either side is missing or zero). */
export function ratioOf(ours: number, peer: number | null | undefined): number | null {
  if (peer === null || peer === undefined || !Number.isFinite(peer) || peer === 0) return null;
  if (!Number.isFinite(ours)) return null;
  return Number((ours / peer).toPrecision(3));
}
