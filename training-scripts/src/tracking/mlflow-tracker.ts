/**
 * The MLflow implementation of Tracker: one parent run per search, one nested run per
 * candidate, the data as dataset inputs, the best model as run artifacts AND as an MLflow 3
 * LoggedModel (the UI's Models tab), and SVG plots under the run's `plots/`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LEARNER, writeModelDir, type Candidate } from '@wine/model';
import { SYSTEM_TAGS, type MlflowClient } from 'mlflow-ts-client';
import { DEFAULT_CANDIDATE_CONCURRENCY, logCandidateRuns } from './candidate-runs';
import { renderSvg, trainingPlots } from './plots';
import {
  candidateParams,
  datasetInput,
  DIGEST_LENGTH,
  modelMetrics,
  searchMetrics,
  WINE_TAGS,
} from './run-payloads';
import type { SearchReport, SearchStart, SearchTracking, TrackedSearch, Tracker } from './tracker';

export interface MlflowTrackerOptions {
  /** Client for the logging itself (default retries). */
  readonly client: MlflowClient;
  /** Client for the first call: few retries and a short timeout, so a bad URI fails fast. */
  readonly preflight: MlflowClient;
  readonly experimentName: string;
  /** mlflow.source.name, e.g. the CLI script. */
  readonly sourceName: string;
  readonly gitCommit?: string | undefined;
  readonly user?: string | undefined;
  /** Requests in flight while logging candidate runs; default 8. */
  readonly concurrency?: number;
  readonly now?: () => number;
}

/** The artifact name of the model: `runs:/<run>/model`, LoggedModel name "model". */
export const MODEL_ARTIFACT = 'model';
export const PLOTS_DIR = 'plots';

function runName(kind: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${kind}-search-${stamp}`;
}

export function createMlflowTracker(options: MlflowTrackerOptions): Tracker {
  const { client } = options;
  const now = options.now ?? Date.now;
  const concurrency = options.concurrency ?? DEFAULT_CANDIDATE_CONCURRENCY;
  const sourceTags: Record<string, string> = {
    [SYSTEM_TAGS.sourceName]: options.sourceName,
    [SYSTEM_TAGS.sourceType]: 'LOCAL',
    ...(options.gitCommit === undefined ? {} : { [SYSTEM_TAGS.gitCommit]: options.gitCommit }),
    ...(options.user === undefined ? {} : { [SYSTEM_TAGS.user]: options.user }),
    [WINE_TAGS.learnerName]: LEARNER.name,
    [WINE_TAGS.learnerVersion]: LEARNER.version,
  };

  async function startSearch(start: SearchStart): Promise<SearchTracking> {
    const experiment = await options.preflight.getOrCreateExperiment({
      name: options.experimentName,
    });
    const experimentId = experiment.experimentId;
    const startedAt = now();
    const commonTags = {
      ...sourceTags,
      [WINE_TAGS.dataSha256]: start.dataSha256,
      [WINE_TAGS.modelKind]: start.kind,
    };
    const parentTags = {
      ...commonTags,
      [WINE_TAGS.role]: 'search',
      [SYSTEM_TAGS.note]:
        `Hyperparameter search (${start.kind}); one nested run per candidate. ` +
        `The best model is under Artifacts → ${MODEL_ARTIFACT}/ and in the Models tab; plots under ${PLOTS_DIR}/.`,
    };
    // An orchestrator (the pipeline) may own the parent run: the search then logs into it.
    const parent =
      start.parentRunId === undefined
        ? await client.createRun({
            experimentId,
            runName: runName(start.kind, startedAt),
            startTime: startedAt,
            tags: parentTags,
          })
        : await client
            .logBatch(start.parentRunId, { tags: parentTags })
            .then(() => client.getRun(start.parentRunId as string));
    const runId = parent.info.runId;
    const evalSet = start.datasets.find((d) => d.context === 'eval');
    await Promise.all([
      client.logInputs(runId, start.datasets.map(datasetInput)),
      client.logBatch(runId, { params: start.options }),
    ]);

    async function logCandidates(candidates: readonly Candidate[]): Promise<number> {
      const logged = await logCandidateRuns(
        {
          client,
          experimentId,
          parentRunId: runId,
          kind: start.kind,
          tags: commonTags,
          startedAt,
          concurrency,
        },
        candidates,
      );
      return logged.seconds;
    }

    async function logPlots(report: SearchReport, dir: string): Promise<void> {
      const plotsDir = path.join(dir, PLOTS_DIR);
      await mkdir(plotsDir, { recursive: true });
      for (const plot of trainingPlots(report)) {
        await writeFile(path.join(plotsDir, plot.file), await renderSvg(plot.spec));
      }
      await client.uploadDirectory(parent.info.artifactUri, plotsDir, { artifactPath: PLOTS_DIR });
    }

    async function logBestModel(report: SearchReport, dir: string): Promise<string> {
      const timestamp = now();
      await client.logBatch(runId, {
        params: Object.fromEntries(
          Object.entries(candidateParams(report.best.params, start.kind)).map(([k, v]) => [
            `best_${k}`,
            v,
          ]),
        ),
        metrics: searchMetrics(
          {
            searchSeconds: report.searchSeconds,
            candidates: report.candidates.length,
            bestValidationRmse: report.best.metrics.rmse,
          },
          timestamp,
        ),
      });
      const modelDir = path.join(dir, MODEL_ARTIFACT);
      const logged = await client.logModel({
        runId,
        name: MODEL_ARTIFACT,
        modelType: report.document.format,
        params: candidateParams(report.best.params, start.kind),
        // test_* on the run and the model, linked to the holdout dataset ("Datasets used").
        metrics: modelMetrics(
          report.testMetrics,
          timestamp,
          evalSet && { name: evalSet.name, digest: evalSet.sha256.slice(0, DIGEST_LENGTH) },
        ),
        tags: { [WINE_TAGS.dataSha256]: start.dataSha256 },
        writeArtifacts: async (model) => {
          await writeModelDir(modelDir, report.document, {
            inputExample: report.inputExample,
            ...(report.referenceSample === undefined
              ? {}
              : { referenceSample: report.referenceSample }),
            runId,
            modelId: model.modelId,
            modelUuid: model.modelId,
            artifactPath: model.artifactUri,
            createdAt: new Date(timestamp).toISOString().replace('T', ' ').replace('Z', ''),
          });
          return modelDir;
        },
      });
      // The same files under the run's artifacts (2.x layout: runs:/<run>/model still resolves).
      await client.uploadDirectory(parent.info.artifactUri, modelDir, {
        artifactPath: MODEL_ARTIFACT,
      });
      return logged.modelId;
    }

    return {
      runId,
      async complete(report: SearchReport): Promise<TrackedSearch> {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'wine-tracking-'));
        try {
          const [candidateLogSeconds, modelId] = await Promise.all([
            logCandidates(report.candidates),
            logBestModel(report, dir),
            logPlots(report, dir),
          ]);
          await client.finishRun(runId, 'FINISHED');
          return {
            trackingUri: client.trackingUri,
            experimentId,
            runId,
            runUrl: `${client.trackingUri}/#/experiments/${experimentId}/runs/${runId}`,
            childRuns: report.candidates.length,
            modelId,
            candidateLogSeconds,
          };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
      async fail(reason: string): Promise<void> {
        await client.setTag(runId, 'wine.failure', reason.slice(0, 5000)).catch(() => undefined);
        await client.finishRun(runId, 'FAILED').catch(() => undefined);
      },
    };
  }

  return {
    description: `${client.trackingUri}, experiment ${options.experimentName}`,
    startSearch,
  };
}
