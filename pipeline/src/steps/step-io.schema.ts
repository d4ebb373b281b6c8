/**
 * What each step takes and returns. Step outputs cross process edges (BullMQ job return
 * values in Redis, the run history's JSONB), so they are validated with zod where they are
 * read back (convention C8). Large outputs (CSV files, model directories) are never here:
 * they live in the artifact store and are referenced by `ArtifactRef` with their sha256.
 */
import { z } from 'zod';

export const STEP_NAMES = ['ingest', 'validate', 'split', 'train', 'evaluate', 'register'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const TRIGGERS = ['cli', 'schedule', 'alert'] as const;
export type Trigger = (typeof TRIGGERS)[number];

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** A file in the artifact store: `path` below the MLflow run's artifact root. */
export const artifactRefSchema = z.object({
  artifactUri: z.string().min(1),
  path: z.string().min(1),
  sha256,
  bytes: z.number().int().nonnegative(),
});
export type ArtifactRef = z.infer<typeof artifactRefSchema>;

/** Parameters of a run, fixed when it is enqueued. */
export const runParamsSchema = z.object({
  data: z.string().min(1),
  dataSha256: sha256.optional(),
  model: z.enum(['tree', 'forest']),
  search: z.enum(['grid', 'random']),
  nIter: z.number().int().positive(),
  cv: z.number().int().min(2).optional(),
  testSize: z.number().gt(0).lt(1),
  validationSize: z.number().gt(0).lt(1),
  seed: z.number().int().nonnegative(),
  experiment: z.string().min(1),
  registeredModel: z.string().min(1),
  minImprovement: z.number().nonnegative(),
  maxRejectedShare: z.number().min(0).max(1),
  feedbackMaxAgeDays: z.number().int().nonnegative(),
});
export type RunParams = z.infer<typeof runParamsSchema>;

export const sourceInfoSchema = z.object({
  name: z.string(),
  kind: z.enum(['local', 'https', 'az', 'feedback']),
  location: z.string(),
  sha256,
  bytes: z.number().int().nonnegative(),
  file: artifactRefSchema.optional(),
});

export const ingestOutputSchema = z.object({
  sources: z.array(sourceInfoSchema),
  feedback: z.object({
    rows: z.number().int().nonnegative(),
    /** Rows labelled after the serving champion was registered: what it has never seen. */
    newSinceChampion: z.number().int().nonnegative(),
    championVersion: z.string().nullable(),
  }),
});
export type IngestOutput = z.infer<typeof ingestOutputSchema>;

export const validateOutputSchema = z.object({
  dataset: artifactRefSchema,
  rows: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  rejectedShare: z.number().min(0).max(1),
  report: artifactRefSchema,
  bySource: z.record(z.string(), z.object({ rows: z.number(), rejected: z.number() })),
});
export type ValidateOutput = z.infer<typeof validateOutputSchema>;

const partSchema = z.object({ file: artifactRefSchema, rows: z.number().int().nonnegative() });
export const splitOutputSchema = z.object({
  train: partSchema,
  validation: partSchema.nullable(),
  holdout: partSchema,
});
export type SplitOutput = z.infer<typeof splitOutputSchema>;

const metricsSchema = z.object({ rmse: z.number(), mae: z.number(), r2: z.number() });
export const trainOutputSchema = z.object({
  mlflowRunId: z.string().min(1),
  modelId: z.string().min(1),
  modelUri: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  candidates: z.number().int().positive(),
  searchSeconds: z.number().nonnegative(),
  validation: metricsSchema,
  holdout: metricsSchema,
});
export type TrainOutput = z.infer<typeof trainOutputSchema>;

export const evaluateOutputSchema = z.object({
  candidateRmse: z.number(),
  champion: z.object({ version: z.string(), rmse: z.number() }).nullable(),
  holdoutRows: z.number().int().nonnegative(),
  holdoutSha256: sha256,
});
export type EvaluateOutput = z.infer<typeof evaluateOutputSchema>;

export const registerOutputSchema = z.object({
  modelName: z.string(),
  version: z.string(),
  created: z.boolean(),
  alias: z.enum(['champion', 'challenger']),
  decision: z.enum(['first', 'already-champion', 'promoted', 'kept']),
  reason: z.string(),
  champion: z.object({ version: z.string(), rmse: z.number() }).nullable(),
});
export type RegisterOutput = z.infer<typeof registerOutputSchema>;

export const STEP_OUTPUT_SCHEMAS = {
  ingest: ingestOutputSchema,
  validate: validateOutputSchema,
  split: splitOutputSchema,
  train: trainOutputSchema,
  evaluate: evaluateOutputSchema,
  register: registerOutputSchema,
} as const;

export interface StepOutputs {
  ingest: IngestOutput;
  validate: ValidateOutput;
  split: SplitOutput;
  train: TrainOutput;
  evaluate: EvaluateOutput;
  register: RegisterOutput;
}

/** The step before each step (whose output it consumes). */
export const PREVIOUS: { readonly [S in StepName]: StepName | undefined } = {
  ingest: undefined,
  validate: 'ingest',
  split: 'validate',
  train: 'split',
  evaluate: 'train',
  register: 'evaluate',
};

/** The job data of every step and of the run job: which run, with which parameters. */
export const runJobDataSchema = z.object({
  runId: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/),
  trigger: z.enum(TRIGGERS),
  groupKey: z.string().max(2000).optional(),
  params: runParamsSchema,
});
export type RunJobData = z.infer<typeof runJobDataSchema>;
