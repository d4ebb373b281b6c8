/**
 * Logs a search's candidates as nested MLflow runs: per candidate the three calls the REST API
 * needs at least — runs/create (name, start time and every tag), one runs/log-batch (params +
 * metrics) and runs/update (FINISHED, end time) — with up to `concurrency` candidates in flight
 * over the client's keep-alive connections. Nothing is lost or doubled: the client retries
 * transient failures with backoff — log-batch and update as they are (idempotent: the SQL store
 * drops a metric it already has, params may be re-sent with the same value, tags overwrite),
 * create only after looking for the run a lost reply may have made. Nothing is left RUNNING:
 * a candidate whose log-batch or update fails for good is marked FAILED before the error is
 * rethrown, and no further candidate is started after the first failure.
 */
import type { Candidate } from '@wine/model';
import { mapLimit, SYSTEM_TAGS, type MlflowClient } from 'mlflow-ts-client';
import { candidateMetrics, candidateParams, candidateRunName, WINE_TAGS } from './run-payloads';

export type CandidateRunsClient = Pick<MlflowClient, 'createRun' | 'logBatch' | 'finishRun'>;

export interface CandidateRunsOptions {
  readonly client: CandidateRunsClient;
  readonly experimentId: string;
  readonly parentRunId: string;
  readonly kind: 'tree' | 'forest';
  /** Tags every candidate run carries (source, learner, data identity); role is added here. */
  readonly tags: Readonly<Record<string, string>>;
  /** The search's start (epoch ms): every candidate's start time and metric timestamp. */
  readonly startedAt: number;
  /** Candidates in flight; each has at most one request outstanding. */
  readonly concurrency: number;
}

export interface CandidateRunsResult {
  /** Run ids in candidate order. */
  readonly runIds: readonly string[];
  readonly seconds: number;
}

export const DEFAULT_CANDIDATE_CONCURRENCY = 8;

export async function logCandidateRuns(
  options: CandidateRunsOptions,
  candidates: readonly Candidate[],
): Promise<CandidateRunsResult> {
  const { client, startedAt } = options;
  const tags = { ...options.tags, [WINE_TAGS.role]: 'candidate' };
  const t0 = performance.now();

  async function logOne(candidate: Candidate): Promise<string> {
    const runName = candidateRunName(candidate, candidates.length);
    const child = await client.createRun(
      {
        experimentId: options.experimentId,
        parentRunId: options.parentRunId,
        runName,
        startTime: startedAt,
        tags,
      },
      // A create whose reply was lost may have made the run: find it rather than make two.
      {
        findExisting: `tags.${SYSTEM_TAGS.parentRunId} = '${options.parentRunId}' AND attributes.run_name = '${runName}'`,
      },
    );
    const runId = child.info.runId;
    try {
      await client.logBatch(runId, {
        params: candidateParams(candidate.params, options.kind),
        metrics: candidateMetrics(candidate, startedAt),
      });
      // The run's duration in the UI is the candidate's fit time.
      await client.finishRun(
        runId,
        'FINISHED',
        startedAt + Math.round(candidate.fitSeconds * 1000),
      );
    } catch (error) {
      await client.finishRun(runId, 'FAILED').catch(() => undefined);
      throw error;
    }
    return runId;
  }

  const runIds = await mapLimit(candidates, options.concurrency, logOne);
  return { runIds, seconds: (performance.now() - t0) / 1000 };
}
