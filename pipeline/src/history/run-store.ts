/**
 * The run history the pipeline writes: the RunStore interface and its PostgreSQL
 * implementation live in @wine/db (the package that owns every table); passed in (C6).
 */
export type {
  NewPipelineRun as NewRun,
  PipelineRunFailure as RunFailure,
  PipelineRunOutcome as RunOutcome,
  PipelineRunRecord as RunRecord,
  PipelineRunStats as RunStats,
  PipelineRunStatus as RunStatus,
  PipelineRunStore as RunStore,
  PipelineStepRecord as StepRecord,
} from '@wine/db';
