/**
 * The retraining pipeline's run history (tables pipeline_runs and pipeline_run_steps, written
 * by the pipeline's workers, read by its CLI and API). Every write is one idempotent statement,
 * safe to repeat when a job is retried or re-delivered after a worker died. Parameters and
 * step outputs are JSON here; the pipeline validates them with its own schemas.
 */
import type { Pool } from 'pg';
import { pgFailure } from './errors';

/** The steps, in order; the same list as the CHECK constraint of pipeline_run_steps.step. */
export const PIPELINE_STEP_NAMES = [
  'ingest',
  'validate',
  'split',
  'train',
  'evaluate',
  'register',
] as const;
export type PipelineStepName = (typeof PIPELINE_STEP_NAMES)[number];
export type PipelineTrigger = 'cli' | 'schedule' | 'alert';
type StepName = PipelineStepName;
type Trigger = PipelineTrigger;

export type PipelineRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type PipelineStepStatus = 'running' | 'retrying' | 'succeeded' | 'failed';

export interface NewPipelineRun {
  readonly runId: string;
  readonly trigger: Trigger;
  readonly groupKey?: string | undefined;
  readonly params: unknown;
}

export interface PipelineStepRecord {
  readonly step: StepName;
  readonly status: PipelineStepStatus;
  readonly attempts: number;
  readonly inputKey: string | null;
  readonly cachedFrom: string | null;
  readonly output: unknown;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly durationMs: number | null;
}

export interface PipelineRunRecord {
  readonly id: string;
  readonly trigger: Trigger;
  readonly groupKey: string | null;
  readonly params: unknown;
  readonly status: PipelineRunStatus;
  readonly dataFingerprints: Readonly<Record<string, unknown>>;
  readonly mlflowRunId: string | null;
  readonly modelVersion: string | null;
  readonly decision: string | null;
  readonly error: {
    readonly step: string | null;
    readonly code: string;
    readonly message: string;
  } | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly steps: readonly PipelineStepRecord[];
}

export interface PipelineRunOutcome {
  readonly mlflowRunId?: string | undefined;
  readonly modelVersion?: string | undefined;
  readonly decision?: string | undefined;
}

export interface PipelineRunFailure {
  readonly step: StepName | undefined;
  readonly code: string;
  readonly message: string;
}

export interface PipelineRunStats {
  /** Finished runs by trigger and result. */
  readonly runs: readonly { trigger: Trigger; result: 'succeeded' | 'failed'; count: number }[];
  /** Duration of every executed (not reused) successful step, for a histogram. */
  readonly stepDurations: readonly { step: StepName; seconds: number }[];
  readonly lastSuccess: Date | null;
  /** Failed runs since the last successful one. */
  readonly consecutiveFailures: number;
  readonly running: number;
}

export interface PipelineRunStore {
  /** Inserts the run as queued; a second call with the same id changes nothing. */
  createRun(run: NewPipelineRun): Promise<void>;
  markRunning(runId: string): Promise<void>;
  stepStarted(runId: string, step: StepName, attempt: number): Promise<void>;
  stepSucceeded(
    runId: string,
    step: StepName,
    result: {
      readonly inputKey: string;
      readonly output: unknown;
      readonly cachedFrom: string | undefined;
      readonly durationMs: number;
      readonly attempt: number;
    },
  ): Promise<void>;
  /** `final`: the step will not be retried (the run fails with it). */
  stepFailed(
    runId: string,
    step: StepName,
    failure: { code: string; message: string; attempt: number; final: boolean },
  ): Promise<void>;
  /** The newest succeeded output of `step` with this input key, from any run. */
  findReusable(
    step: StepName,
    inputKey: string,
  ): Promise<{ runId: string; output: unknown } | undefined>;
  /** Merges facts into data_fingerprints (sources, feedback counts…). */
  addFingerprints(runId: string, facts: Readonly<Record<string, unknown>>): Promise<void>;
  setMlflowRun(runId: string, mlflowRunId: string): Promise<void>;
  finishRun(runId: string, outcome: PipelineRunOutcome): Promise<void>;
  /** Marks the run failed (first failure wins: a later cascade does not overwrite it). */
  failRun(runId: string, failure: PipelineRunFailure): Promise<void>;
  getRun(runId: string): Promise<PipelineRunRecord | undefined>;
  listRuns(options: {
    limit: number;
    status?: PipelineRunStatus | undefined;
  }): Promise<PipelineRunRecord[]>;
  stats(): Promise<PipelineRunStats>;
}

interface RunRow {
  id: string;
  trigger: Trigger;
  group_key: string | null;
  params: unknown;
  status: PipelineRunStatus;
  data_fingerprints: Record<string, unknown>;
  mlflow_run_id: string | null;
  model_version: string | null;
  decision: string | null;
  error_step: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

interface StepRow {
  run_id: string;
  step: StepName;
  status: PipelineStepStatus;
  attempts: number;
  input_key: string | null;
  cached_from: string | null;
  output: unknown;
  error_code: string | null;
  error_message: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
}

const position = (step: StepName): number => PIPELINE_STEP_NAMES.indexOf(step);

function toStep(row: StepRow): PipelineStepRecord {
  return {
    step: row.step,
    status: row.status,
    attempts: row.attempts,
    inputKey: row.input_key,
    cachedFrom: row.cached_from,
    output: row.output,
    error:
      row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}

function toRun(row: RunRow, steps: readonly StepRow[]): PipelineRunRecord {
  return {
    id: row.id,
    trigger: row.trigger,
    groupKey: row.group_key,
    params: row.params,
    status: row.status,
    dataFingerprints: row.data_fingerprints,
    mlflowRunId: row.mlflow_run_id,
    modelVersion: row.model_version,
    decision: row.decision,
    error:
      row.error_code === null
        ? null
        : { step: row.error_step, code: row.error_code, message: row.error_message ?? '' },
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    steps: steps.map(toStep),
  };
}

/** PipelineRunStore on PostgreSQL; pg errors become DbError (DB_UNREACHABLE / DB_QUERY_FAILED). */
export function createPipelineRunStore(db: Pool): PipelineRunStore {
  const pool = {
    query: async <R extends object>(text: string, values?: unknown[]) => {
      try {
        return await db.query<R>(text, values);
      } catch (error) {
        throw pgFailure(error);
      }
    },
  };
  async function stepsOf(ids: readonly string[]): Promise<Map<string, StepRow[]>> {
    const { rows } = await pool.query<StepRow>(
      'SELECT * FROM pipeline_run_steps WHERE run_id = ANY($1) ORDER BY run_id, position',
      [ids],
    );
    const byRun = new Map<string, StepRow[]>();
    for (const row of rows) byRun.set(row.run_id, [...(byRun.get(row.run_id) ?? []), row]);
    return byRun;
  }

  return {
    async createRun(run: NewPipelineRun) {
      await pool.query(
        `INSERT INTO pipeline_runs (id, trigger, group_key, params, status)
         VALUES ($1, $2, $3, $4, 'queued') ON CONFLICT (id) DO NOTHING`,
        [run.runId, run.trigger, run.groupKey ?? null, JSON.stringify(run.params)],
      );
    },

    async markRunning(runId) {
      await pool.query(
        `UPDATE pipeline_runs SET status = 'running', started_at = coalesce(started_at, now())
         WHERE id = $1 AND status IN ('queued', 'running')`,
        [runId],
      );
    },

    async stepStarted(runId, step, attempt) {
      await pool.query(
        `INSERT INTO pipeline_run_steps (run_id, step, position, status, attempts, started_at)
         VALUES ($1, $2, $3, 'running', $4, now())
         ON CONFLICT (run_id, step) DO UPDATE SET status = 'running', attempts = $4,
           started_at = now(), finished_at = NULL, duration_ms = NULL`,
        [runId, step, position(step), attempt],
      );
    },

    async stepSucceeded(runId, step, result) {
      await pool.query(
        `INSERT INTO pipeline_run_steps (run_id, step, position, status, attempts, input_key,
           cached_from, output, started_at, finished_at, duration_ms)
         VALUES ($1, $2, $3, 'succeeded', $4, $5, $6, $7, now() - make_interval(secs => $8 / 1000.0), now(), $8)
         ON CONFLICT (run_id, step) DO UPDATE SET status = 'succeeded', attempts = $4,
           input_key = $5, cached_from = $6, output = $7, error_code = NULL, error_message = NULL,
           finished_at = now(), duration_ms = $8`,
        [
          runId,
          step,
          position(step),
          result.attempt,
          result.inputKey,
          result.cachedFrom ?? null,
          JSON.stringify(result.output),
          Math.round(result.durationMs),
        ],
      );
    },

    async stepFailed(runId, step, failure) {
      await pool.query(
        `INSERT INTO pipeline_run_steps (run_id, step, position, status, attempts, error_code,
           error_message, started_at, finished_at, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now(), 0)
         ON CONFLICT (run_id, step) DO UPDATE SET status = $4, attempts = $5, error_code = $6,
           error_message = $7, finished_at = now(),
           duration_ms = (extract(epoch FROM now() - pipeline_run_steps.started_at) * 1000)::integer`,
        [
          runId,
          step,
          position(step),
          failure.final ? 'failed' : 'retrying',
          failure.attempt,
          failure.code,
          failure.message,
        ],
      );
    },

    async findReusable(step, inputKey) {
      const { rows } = await pool.query<{ run_id: string; output: unknown }>(
        `SELECT run_id, output FROM pipeline_run_steps
         WHERE step = $1 AND input_key = $2 AND status = 'succeeded'
         ORDER BY finished_at DESC LIMIT 1`,
        [step, inputKey],
      );
      const row = rows[0];
      return row === undefined ? undefined : { runId: row.run_id, output: row.output };
    },

    async addFingerprints(runId, facts) {
      await pool.query(
        'UPDATE pipeline_runs SET data_fingerprints = data_fingerprints || $2::jsonb WHERE id = $1',
        [runId, JSON.stringify(facts)],
      );
    },

    async setMlflowRun(runId, mlflowRunId) {
      await pool.query(
        'UPDATE pipeline_runs SET mlflow_run_id = coalesce(mlflow_run_id, $2) WHERE id = $1',
        [runId, mlflowRunId],
      );
    },

    async finishRun(runId, outcome) {
      await pool.query(
        `UPDATE pipeline_runs SET status = 'succeeded', finished_at = now(),
           mlflow_run_id = coalesce($2, mlflow_run_id), model_version = $3, decision = $4,
           error_step = NULL, error_code = NULL, error_message = NULL
         WHERE id = $1 AND status <> 'succeeded'`,
        [
          runId,
          outcome.mlflowRunId ?? null,
          outcome.modelVersion ?? null,
          outcome.decision ?? null,
        ],
      );
    },

    async failRun(runId, failure) {
      await pool.query(
        `UPDATE pipeline_runs SET status = 'failed', finished_at = now(),
           error_step = $2, error_code = $3, error_message = $4
         WHERE id = $1 AND status IN ('queued', 'running')`,
        [runId, failure.step ?? null, failure.code, failure.message],
      );
    },

    async getRun(runId) {
      const { rows } = await pool.query<RunRow>('SELECT * FROM pipeline_runs WHERE id = $1', [
        runId,
      ]);
      const row = rows[0];
      if (row === undefined) return undefined;
      return toRun(row, (await stepsOf([runId])).get(runId) ?? []);
    },

    async listRuns({ limit, status }) {
      const { rows } = await pool.query<RunRow>(
        `SELECT * FROM pipeline_runs WHERE ($2::text IS NULL OR status = $2)
         ORDER BY created_at DESC, id LIMIT $1`,
        [limit, status ?? null],
      );
      const steps = await stepsOf(rows.map((r) => r.id));
      return rows.map((r) => toRun(r, steps.get(r.id) ?? []));
    },

    async stats() {
      const runs = await pool.query<{
        trigger: Trigger;
        status: 'succeeded' | 'failed';
        n: string;
      }>(
        `SELECT trigger, status, count(*) AS n FROM pipeline_runs
         WHERE status IN ('succeeded', 'failed') GROUP BY trigger, status`,
      );
      const durations = await pool.query<{ step: StepName; duration_ms: number }>(
        `SELECT step, duration_ms FROM pipeline_run_steps
         WHERE status = 'succeeded' AND cached_from IS NULL AND duration_ms IS NOT NULL`,
      );
      const summary = await pool.query<{
        last_success: Date | null;
        failures: string;
        running: string;
      }>(
        `SELECT (SELECT max(finished_at) FROM pipeline_runs WHERE status = 'succeeded') AS last_success,
           (SELECT count(*) FROM pipeline_runs WHERE status = 'failed' AND finished_at >
              coalesce((SELECT max(finished_at) FROM pipeline_runs WHERE status = 'succeeded'), '-infinity')) AS failures,
           (SELECT count(*) FROM pipeline_runs WHERE status = 'running') AS running`,
      );
      const s = summary.rows[0];
      const result: PipelineRunStats = {
        runs: runs.rows.map((r) => ({ trigger: r.trigger, result: r.status, count: Number(r.n) })),
        stepDurations: durations.rows.map((r) => ({ step: r.step, seconds: r.duration_ms / 1000 })),
        lastSuccess: s?.last_success ?? null,
        consecutiveFailures: Number(s?.failures ?? 0),
        running: Number(s?.running ?? 0),
      };
      return result;
    },
  };
}
