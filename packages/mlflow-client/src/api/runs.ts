import { emptyReply } from '../common.schema';
import { isTransientFailure } from '../errors';
import { ENDPOINTS } from '../endpoints';
import { planLogBatch, type LogBatchInput, type MetricInput, type ParamValue } from '../log-batch';
import {
  metricHistoryReply,
  runReply,
  searchRunsReply,
  updateRunReply,
  type Metric,
  type Run,
  type RunInfo,
  type RunStatus,
} from '../tracking.schema';
import { tagList, type ApiContext, type TagsInput } from './context';

/** System tag names the MLflow UI understands (mlflow/utils/mlflow_tags.py). */
export const SYSTEM_TAGS = {
  runName: 'mlflow.runName',
  parentRunId: 'mlflow.parentRunId',
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  gitCommit: 'mlflow.source.git.commit',
  note: 'mlflow.note.content',
} as const;

/** Tags that make a run a child of `parentRunId` (the UI nests it; same experiment). */
export function parentRunTags(parentRunId: string): Record<string, string> {
  return { [SYSTEM_TAGS.parentRunId]: parentRunId };
}

export interface CreateRunInput {
  readonly experimentId: string;
  readonly runName?: string;
  /** Epoch ms; defaults to now (the server would store 0). */
  readonly startTime?: number;
  readonly tags?: TagsInput;
  /** Shortcut for the `mlflow.parentRunId` tag. */
  readonly parentRunId?: string;
  /**
   * The run's `user_id` (the UI's "Created by"); default the `mlflow.user` tag, as the Python
   * client does — the server does not derive it from the tag.
   */
  readonly userId?: string;
}

export interface CreateRunOptions {
  /**
   * Makes a retried create safe: a runs/search filter that matches only this run, e.g.
   * `tags.mlflow.parentRunId = '…' AND attributes.run_name = 'candidate-07'`. Each create is
   * then sent once; after a failure that may have created the run anyway (timeout, dropped
   * connection, 5xx) the run is looked up with the filter before creating again, with the
   * transport's backoff and retry count — so a lost reply never leaves a second run.
   */
  readonly findExisting?: string;
}

export interface UpdateRunInput {
  readonly status?: RunStatus;
  readonly endTime?: number;
  readonly runName?: string;
}

export type RunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface SearchRunsInput {
  readonly experimentIds: readonly string[];
  /** e.g. `metrics.rmse < 0.7 AND tags.mlflow.parentRunId = '…'` (AND only). */
  readonly filter?: string;
  readonly runViewType?: RunViewType;
  /** Page size; the server defaults to 1000. */
  readonly maxResults?: number;
  readonly orderBy?: readonly string[];
  readonly pageToken?: string;
}

export interface RunsPage {
  readonly runs: Run[];
  readonly nextPageToken: string | undefined;
}

export interface DatasetInput {
  readonly name: string;
  /** ≤ 36 characters (server limit). */
  readonly digest: string;
  readonly sourceType: string;
  /** Opaque JSON string describing where the data came from. */
  readonly source: string;
  readonly schema?: string;
  readonly profile?: string;
  /** Becomes the `mlflow.data.context` input tag, e.g. 'training' or 'eval'. */
  readonly context?: string;
  readonly tags?: TagsInput;
}

export function runsApi({ transport, now, sleep }: ApiContext) {
  async function createRun(input: CreateRunInput, options: CreateRunOptions = {}): Promise<Run> {
    const filter = options.findExisting;
    if (filter === undefined) return sendCreateRun(input);
    for (let retry = 0; ; retry++) {
      if (retry > 0) {
        await sleep(transport.retryDelayMs(retry));
        const found = await searchRuns({
          experimentIds: [input.experimentId],
          filter,
          runViewType: 'ALL',
          maxResults: 1,
        });
        if (found.runs[0] !== undefined) return found.runs[0];
      }
      try {
        return await sendCreateRun(input, 0);
      } catch (error) {
        if (retry >= transport.retries || !isTransientFailure(error)) throw error;
      }
    }
  }

  async function sendCreateRun(input: CreateRunInput, retries?: number): Promise<Run> {
    const { method, path } = ENDPOINTS.createRun;
    const tags: Record<string, string> = {
      ...input.tags,
      ...(input.parentRunId === undefined ? {} : parentRunTags(input.parentRunId)),
    };
    const userId = input.userId ?? tags[SYSTEM_TAGS.user];
    const reply = await transport.call(method, path, runReply, {
      json: {
        experiment_id: input.experimentId,
        ...(userId === undefined ? {} : { user_id: userId }),
        ...(input.runName === undefined ? {} : { run_name: input.runName }),
        start_time: Math.trunc(input.startTime ?? now()),
        tags: tagList(tags),
      },
      ...(retries === undefined ? {} : { retries }),
    });
    return reply.run;
  }

  async function updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    const { method, path } = ENDPOINTS.updateRun;
    const reply = await transport.call(method, path, updateRunReply, {
      json: {
        run_id: runId,
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.endTime === undefined ? {} : { end_time: Math.trunc(input.endTime) }),
        ...(input.runName === undefined ? {} : { run_name: input.runName }),
      },
    });
    return reply.run_info;
  }

  /** Sets a terminal status and the end time (now unless given). */
  function finishRun(
    runId: string,
    status: Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'> = 'FINISHED',
    endTime: number = now(),
  ): Promise<RunInfo> {
    return updateRun(runId, { status, endTime });
  }

  async function getRun(runId: string): Promise<Run> {
    const { method, path } = ENDPOINTS.getRun;
    const reply = await transport.call(method, path, runReply, { query: { run_id: runId } });
    return reply.run;
  }

  async function setTag(runId: string, key: string, value: string): Promise<void> {
    const { method, path } = ENDPOINTS.setTag;
    await transport.call(method, path, emptyReply, { json: { run_id: runId, key, value } });
  }

  /**
   * Logs any number of metrics, params and tags, split into as many requests as the server's
   * limits need and sent in order. Returns the number of requests made.
   */
  async function logBatch(runId: string, input: LogBatchInput): Promise<number> {
    const { method, path } = ENDPOINTS.logBatch;
    const requests = planLogBatch(runId, input, now());
    for (const body of requests) await transport.call(method, path, emptyReply, { json: body });
    return requests.length;
  }

  const logMetrics = (runId: string, metrics: readonly MetricInput[]) =>
    logBatch(runId, { metrics });
  const logParams = (runId: string, params: Readonly<Record<string, ParamValue>>) =>
    logBatch(runId, { params });

  async function getMetricHistory(runId: string, metricKey: string): Promise<Metric[]> {
    const { method, path } = ENDPOINTS.getMetricHistory;
    const metrics: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const reply = await transport.call(method, path, metricHistoryReply, {
        query: { run_id: runId, metric_key: metricKey, page_token: pageToken },
      });
      metrics.push(...reply.metrics);
      pageToken = reply.next_page_token;
    } while (pageToken);
    return metrics;
  }

  async function searchRuns(input: SearchRunsInput): Promise<RunsPage> {
    const { method, path } = ENDPOINTS.searchRuns;
    const reply = await transport.call(method, path, searchRunsReply, {
      json: {
        experiment_ids: input.experimentIds,
        ...(input.filter === undefined ? {} : { filter: input.filter }),
        run_view_type: input.runViewType ?? 'ACTIVE_ONLY',
        ...(input.maxResults === undefined ? {} : { max_results: input.maxResults }),
        ...(input.orderBy === undefined ? {} : { order_by: input.orderBy }),
        ...(input.pageToken === undefined ? {} : { page_token: input.pageToken }),
      },
    });
    return { runs: reply.runs, nextPageToken: reply.next_page_token || undefined };
  }

  /** Every matching run, page by page (`maxResults` is the page size). */
  async function* iterateRuns(input: SearchRunsInput): AsyncGenerator<Run, void, undefined> {
    let pageToken = input.pageToken;
    do {
      const page = await searchRuns({ ...input, pageToken });
      yield* page.runs;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  async function searchAllRuns(input: SearchRunsInput): Promise<Run[]> {
    const runs: Run[] = [];
    for await (const run of iterateRuns(input)) runs.push(run);
    return runs;
  }

  /** Records datasets used by the run (shown in the UI's Datasets column, filterable as datasets.*). */
  async function logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    const { method, path } = ENDPOINTS.logInputs;
    await transport.call(method, path, emptyReply, {
      json: {
        run_id: runId,
        datasets: datasets.map((d) => ({
          tags: tagList({
            ...d.tags,
            ...(d.context === undefined ? {} : { 'mlflow.data.context': d.context }),
          }),
          dataset: {
            name: d.name,
            digest: d.digest,
            source_type: d.sourceType,
            source: d.source,
            ...(d.schema === undefined ? {} : { schema: d.schema }),
            ...(d.profile === undefined ? {} : { profile: d.profile }),
          },
        })),
      },
    });
  }

  /** MLflow 3: marks LoggedModels as outputs of the run (the run page's "Logged models"). */
  async function logOutputs(
    runId: string,
    models: readonly { readonly modelId: string; readonly step?: number }[],
  ): Promise<void> {
    const { method, path } = ENDPOINTS.logOutputs;
    await transport.call(method, path, emptyReply, {
      json: {
        run_id: runId,
        models: models.map((m) => ({ model_id: m.modelId, step: m.step ?? 0 })),
      },
    });
  }

  return {
    createRun,
    updateRun,
    finishRun,
    getRun,
    setTag,
    logBatch,
    logMetrics,
    logParams,
    getMetricHistory,
    searchRuns,
    iterateRuns,
    searchAllRuns,
    logInputs,
    logOutputs,
  };
}
