/**
 * train: the existing search (tree or forest) on train, scored on validation (or --cv folds),
 * the winner refit on train + validation and measured on the holdout — `trainOnSplit`, the
 * same code as `pnpm run train` — logged into the pipeline run's MLflow run with one nested
 * run per candidate and the model as an MLflow 3 logged model.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LEARNER } from '@wine/model';
import {
  createMlflowTracker,
  currentUser,
  MODEL_ARTIFACT,
  trainOnSplit,
  WINE_TAGS,
  type Split,
  type Tracker,
} from '@wine/training-scripts';
import type { MlflowClient } from 'mlflow-ts-client';
import { csvToRecords } from './csv';
import { priorOutput, type StepDefinition } from './step-context';
import type { TrainOutput } from './step-io.schema';

/**
 * Candidate runs an earlier attempt left behind (it died while logging them) are marked
 * KILLED and superseded, so the parent shows one complete set.
 */
async function supersedeEarlierCandidates(
  client: MlflowClient,
  experimentId: string,
  parentRunId: string,
  attempt: number,
): Promise<number> {
  const stale = await client.searchAllRuns({
    experimentIds: [experimentId],
    filter: `tags.mlflow.parentRunId = '${parentRunId}' AND tags.\`${WINE_TAGS.role}\` = 'candidate'`,
  });
  for (const run of stale) {
    await client.logBatch(run.info.runId, {
      tags: { [WINE_TAGS.role]: 'superseded', 'wine.superseded_by_attempt': String(attempt) },
    });
    if (run.info.status === 'RUNNING') await client.finishRun(run.info.runId, 'KILLED');
  }
  return stale.length;
}

export const trainStep: StepDefinition<'train'> = {
  name: 'train',
  prepare(prior, ctx) {
    const parts = priorOutput(prior, 'split');
    const p = ctx.params;
    return Promise.resolve({
      key: {
        train: parts.train.file.sha256,
        validation: parts.validation?.file.sha256 ?? null,
        holdout: parts.holdout.file.sha256,
        model: p.model,
        search: p.search,
        nIter: p.search === 'random' ? p.nIter : null,
        cv: p.cv ?? null,
        seed: p.seed,
        learner: LEARNER,
        experiment: p.experiment,
      },
      async run(): Promise<TrainOutput> {
        const load = async (ref: typeof parts.train.file, name: string) =>
          csvToRecords(await ctx.artifacts.get(ref), name);
        const split: Split = {
          train: await load(parts.train.file, 'train.csv'),
          validation: parts.validation ? await load(parts.validation.file, 'validation.csv') : [],
          test: await load(parts.holdout.file, 'holdout.csv'),
          rejected: 0,
          sources: {
            train: `${parts.train.file.artifactUri}/${parts.train.file.path}`,
            validation: parts.validation
              ? `${parts.validation.file.artifactUri}/${parts.validation.file.path}`
              : '',
            test: `${parts.holdout.file.artifactUri}/${parts.holdout.file.path}`,
          },
        };
        const run = await ctx.mlflowRun();
        if (ctx.attempt > 1) {
          const n = await supersedeEarlierCandidates(
            ctx.mlflow,
            run.experimentId,
            run.runId,
            ctx.attempt,
          );
          if (n > 0) ctx.log.warn('superseded candidate runs of an earlier attempt', { runs: n });
        }
        const inner = createMlflowTracker({
          client: ctx.mlflow,
          preflight: ctx.mlflow,
          experimentName: p.experiment,
          sourceName: 'pipeline/train',
          user: currentUser(),
        });
        const tracker: Tracker = {
          description: inner.description,
          startSearch: (start) => inner.startSearch({ ...start, parentRunId: run.runId }),
        };
        const output = await mkdtemp(path.join(os.tmpdir(), 'wine-pipeline-train-'));
        try {
          const outcome = await trainOnSplit(
            split,
            {
              model: p.model,
              search: p.search,
              nIter: p.nIter,
              cv: p.cv,
              seed: p.seed,
              workers: ctx.searchThreads,
              testSize: p.testSize,
              validationSize: p.validationSize,
              fromFiles: false,
              output,
            },
            {
              tracker,
              log: (message) => {
                ctx.log.info(message);
              },
              onProgress: (done, total, last) => {
                ctx.progress(done, total, `rmse ${last.metrics.rmse.toFixed(4)}`);
              },
            },
          );
          const tracked = outcome.tracked;
          if (tracked === undefined) throw new TypeError('the search was not tracked');
          return {
            mlflowRunId: tracked.runId,
            modelId: tracked.modelId,
            modelUri: `runs:/${tracked.runId}/${MODEL_ARTIFACT}`,
            params: { ...outcome.best.params },
            candidates: outcome.search.candidates.length,
            searchSeconds: outcome.search.seconds,
            validation: outcome.validation,
            holdout: outcome.best.metrics,
          };
        } finally {
          await rm(output, { recursive: true, force: true });
        }
      },
    });
  },
};
