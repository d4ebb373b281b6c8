/**
 * `register`: turn a search's best model into a registry version and decide its alias by
 * evaluating it and the current champion on the same holdout rows. Idempotent: a run that
 * already has a version is not registered again (the decision is re-evaluated).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readModelDir, regressionMetrics, type Matrix } from '@wine/model';
import type { MlflowClient, ModelVersion } from 'mlflow-ts-client';
import { MODEL_ARTIFACT } from '../tracking/mlflow-tracker';
import { PARENT_METRICS, WINE_TAGS } from '../tracking/run-payloads';
import { CHALLENGER, CHAMPION, decidePromotion, type PromotionDecision } from './decide-promotion';
import { RegisterError } from './register-error';

/** The rows both models are scored on; its sha256 is tagged so comparisons stay traceable. */
export interface Holdout {
  readonly x: Matrix;
  readonly y: Float64Array;
  readonly sha256: string;
}

export interface RegisterOptions {
  /** Default: the experiment's finished search run with the lowest best_validation_rmse. */
  readonly runId?: string;
  readonly experimentName: string;
  readonly modelName: string;
  readonly minImprovement: number;
}

export interface RegisterOutcome {
  readonly modelName: string;
  readonly version: string;
  /** False when the run already had a version (nothing was created). */
  readonly created: boolean;
  readonly runId: string;
  readonly candidateRmse: number;
  readonly champion?: { readonly version: string; readonly rmse: number };
  readonly decision: PromotionDecision;
}

const quote = (value: string): string => `'${value.replaceAll("'", "\\'")}'`;

export async function findBestSearchRun(
  client: MlflowClient,
  experimentName: string,
): Promise<string> {
  const experiment = await client.getExperimentByName(experimentName);
  const page = experiment
    ? await client.searchRuns({
        experimentIds: [experiment.experimentId],
        filter: `tags.${WINE_TAGS.role} = 'search' AND attributes.status = 'FINISHED'`,
        // Picking among runs by holdout RMSE would reintroduce the selection bias the
        // holdout exists to avoid; runs are compared on their selection score.
        orderBy: [`metrics.${PARENT_METRICS.bestValidationRmse} ASC`],
        maxResults: 1,
      })
    : { runs: [] };
  const best = page.runs[0];
  if (best === undefined) {
    throw new RegisterError(
      'REGISTER_NO_RUN',
      `experiment "${experimentName}" has no finished training run to register; run \`pnpm run train\` with MLFLOW_TRACKING_URI set, or pass --run-id`,
    );
  }
  return best.info.runId;
}

async function findOrCreateVersion(
  client: MlflowClient,
  modelName: string,
  runId: string,
): Promise<{ version: ModelVersion; created: boolean }> {
  await client.getOrCreateRegisteredModel({
    name: modelName,
    description: 'Wine quality regressor (tree ensemble). Aliases: champion (served), challenger.',
  });
  const existing = await client.searchAllModelVersions({
    filter: `name = ${quote(modelName)} AND run_id = ${quote(runId)}`,
  });
  const first = existing.sort((a, b) => Number(a.version) - Number(b.version))[0];
  if (first !== undefined) return { version: first, created: false };
  const logged = await client.findRunLoggedModel(runId, MODEL_ARTIFACT);
  if (logged === undefined) {
    const run = await client.getRun(runId);
    const files = await client.listArtifacts(run.info.artifactUri, MODEL_ARTIFACT);
    if (files.length === 0) {
      throw new RegisterError(
        'REGISTER_NO_MODEL',
        `run ${runId} has no logged model and no ${MODEL_ARTIFACT}/ artifacts; is it a training run?`,
      );
    }
  }
  // A LoggedModel source links version ↔ model ↔ run in the UI, as mlflow.register_model does.
  const source = logged ? `models:/${logged.modelId}` : `runs:/${runId}/${MODEL_ARTIFACT}`;
  const version = await client.registerModel(source, modelName, {
    description: `Registered from run ${runId}`,
  });
  return { version, created: true };
}

/** RMSE on the holdout of the model at `uri` (models:/…, runs:/…), downloaded from MLflow. */
export async function holdoutRmse(
  client: MlflowClient,
  uri: string,
  holdout: Holdout,
): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wine-register-'));
  try {
    await client.downloadModel(uri, dir);
    const { model } = await readModelDir(dir);
    return regressionMetrics(holdout.y, model.predict(holdout.x)).rmse;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Holdout RMSE of a candidate and of the champion it would replace, on the same rows. */
export interface HoldoutEvaluation {
  readonly candidateRmse: number;
  /** Absent when the registered model has no champion. */
  readonly champion?: { readonly version: string; readonly rmse: number };
}

/**
 * Registers the run's model (once) and moves the alias by the promotion rule. `evaluated`
 * (both models scored on the same holdout earlier, e.g. by the pipeline's evaluate step)
 * saves re-scoring when the champion has not changed since; otherwise both are scored again.
 */
export async function registerRun(
  options: RegisterOptions,
  holdout: Holdout,
  client: MlflowClient,
  evaluated?: HoldoutEvaluation,
): Promise<RegisterOutcome> {
  const name = options.modelName;
  const runId = options.runId ?? (await findBestSearchRun(client, options.experimentName));
  const { version: mv, created } = await findOrCreateVersion(client, name, runId);
  const current = await client.getModelVersionByAlias(name, CHAMPION);
  const stillValid =
    evaluated !== undefined && evaluated.champion?.version === (current?.version ?? undefined);
  const candidateRmse = stillValid
    ? evaluated.candidateRmse
    : await holdoutRmse(client, `models:/${name}/${mv.version}`, holdout);
  const champion =
    current === null
      ? undefined
      : {
          version: current.version,
          rmse:
            current.version === mv.version
              ? candidateRmse
              : stillValid && evaluated.champion !== undefined
                ? evaluated.champion.rmse
                : await holdoutRmse(client, `models:/${name}/${current.version}`, holdout),
        };
  const decision = decidePromotion({
    candidateVersion: mv.version,
    candidateRmse,
    minImprovement: options.minImprovement,
    ...(champion === undefined ? {} : { champion }),
  });

  if (decision.outcome !== 'already-champion') {
    await client.setAlias(name, decision.alias, mv.version);
    const challenger = await client.getModelVersionByAlias(name, CHALLENGER);
    if (decision.alias === CHAMPION && challenger?.version === mv.version) {
      await client.deleteAlias(name, CHALLENGER);
    }
  }
  const tags: Record<string, string> = {
    holdout_rmse: candidateRmse.toFixed(6),
    holdout_data_sha256: holdout.sha256,
    holdout_rows: String(holdout.y.length),
    champion_version: champion?.version ?? 'none',
    champion_holdout_rmse: champion === undefined ? 'none' : champion.rmse.toFixed(6),
    min_improvement: String(options.minImprovement),
    decision: decision.outcome,
    decision_reason: decision.reason,
    source_run_id: runId,
  };
  // An unchanged champion keeps the tags of the decision that made it champion.
  if (decision.outcome !== 'already-champion') {
    await Promise.all(
      Object.entries(tags).map(([key, value]) =>
        client.setModelVersionTag(name, mv.version, key, value),
      ),
    );
  }
  return {
    modelName: name,
    version: mv.version,
    created,
    runId,
    candidateRmse,
    ...(champion === undefined ? {} : { champion }),
    decision,
  };
}

/** Human-readable report of a registration. */
export function renderRegistration(outcome: RegisterOutcome): string {
  const { modelName, version, decision } = outcome;
  return [
    `${outcome.created ? 'Registered' : 'Already registered'}: ${modelName} version ${version} (run ${outcome.runId})`,
    `Holdout rmse: candidate ${outcome.candidateRmse.toFixed(4)}` +
      (outcome.champion
        ? `, champion v${outcome.champion.version} ${outcome.champion.rmse.toFixed(4)}`
        : ', no champion yet'),
    `Decision: ${decision.reason}`,
    `Alias: ${modelName}@${decision.alias} → version ${version}` +
      (decision.outcome === 'kept' ? ` (champion stays v${outcome.champion?.version ?? '?'})` : ''),
  ].join('\n');
}
