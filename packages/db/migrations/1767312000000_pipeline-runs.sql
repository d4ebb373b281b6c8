-- Up Migration
-- Run history of the retraining pipeline (pipeline/ package): one row per run, written by the
-- pipeline's workers (and the CLI/API that enqueue runs), read by `pipeline status|list`, the
-- pipeline API's run-history JSON and its /metrics.
CREATE TABLE pipeline_runs (
  id text PRIMARY KEY,
  trigger text NOT NULL CHECK (trigger IN ('cli', 'schedule', 'alert')),
  -- Alertmanager's groupKey for alert-triggered runs.
  group_key text,
  params jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  -- sha256 of every source (UCI files, feedback rows) and facts noticed on the way.
  data_fingerprints jsonb NOT NULL DEFAULT '{}'::jsonb,
  mlflow_run_id text,
  model_version text,
  decision text,
  error_step text,
  error_code text,
  error_message text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
COMMENT ON TABLE pipeline_runs IS 'Retraining pipeline runs (trigger, parameters, data fingerprints, outcome); written by pipeline workers, read by the pipeline CLI and API.';
CREATE INDEX pipeline_runs_created_idx ON pipeline_runs (created_at DESC);
CREATE INDEX pipeline_runs_finished_idx ON pipeline_runs (status, finished_at DESC);

-- One row per step of a run. A succeeded step's input_key (sha256 of everything its output
-- depends on) makes the step idempotent: a later run with the same key reuses the output.
CREATE TABLE pipeline_run_steps (
  run_id text NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  step text NOT NULL CHECK (step IN ('ingest', 'validate', 'split', 'train', 'evaluate', 'register')),
  position smallint NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'retrying', 'succeeded', 'failed')),
  input_key text,
  attempts integer NOT NULL DEFAULT 0,
  -- The run whose output was reused (no work done), else null.
  cached_from text,
  output jsonb,
  error_code text,
  error_message text,
  started_at timestamptz,
  finished_at timestamptz,
  duration_ms integer,
  PRIMARY KEY (run_id, step)
);
COMMENT ON TABLE pipeline_run_steps IS 'Per-step status, attempts, duration, error and output of pipeline runs; succeeded outputs are reused by input_key.';
CREATE INDEX pipeline_run_steps_cache_idx ON pipeline_run_steps (step, input_key, finished_at DESC)
  WHERE status = 'succeeded';

-- Down Migration
DROP TABLE pipeline_run_steps;
DROP TABLE pipeline_runs;
