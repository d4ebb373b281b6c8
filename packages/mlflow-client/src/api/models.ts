import { joinArtifactPath } from '../artifact-uri';
import { MlflowClientError } from '../errors';
import { formatModelUri, parseModelUri } from '../model-uri';
import type { ModelVersion } from '../registry.schema';
import type { LoggedModel } from '../tracking.schema';
import type { MetricInput, ParamValue } from '../log-batch';
import type { artifactsApi } from './artifacts';
import type { TagsInput } from './context';
import type { loggedModelsApi } from './logged-models';
import type { registryApi, WaitOptions } from './registry';
import { SYSTEM_TAGS, type runsApi } from './runs';

/**
 * Model workflows built from the thin API modules, mirroring MLflow 3.17's Python client:
 * `Model.log` (mlflow/models/model.py), `_register_model` (tracking/_model_registry/fluent.py)
 * and models:/ / runs:/ resolution (store/artifact/utils/models.py, runs_artifact_repo.py).
 */

export interface LogModelInput {
  /** The run that produced the model; its params are copied onto the model, as Python does. */
  readonly runId: string;
  /** Artifact name, e.g. 'model' (so `runs:/<run>/model` finds it). */
  readonly name: string;
  readonly modelType?: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly tags?: TagsInput;
  /** Step whose run metrics are copied onto the model (shown on its page). Default 0. */
  readonly step?: number;
  /**
   * Metrics measured on this model, e.g. test-set scores with `datasetName`/`datasetDigest`
   * (a dataset logged as a run input). They are logged with the model's id, so they land on
   * the run and on the model, where the dataset link survives: the model page lists them
   * under "Datasets used" (copied run metrics lose it — the run's history does not keep it).
   */
  readonly metrics?: readonly MetricInput[];
  /**
   * Writes the model directory and returns its path. Called after the LoggedModel exists, so
   * the MLmodel file can carry `model_id`, `model_uuid` (= id), `run_id` and
   * `artifact_path` (= model.artifactUri) exactly like a Python-logged one.
   */
  readonly writeArtifacts: (model: LoggedModel) => Promise<string>;
}

export interface RegisterModelOptions {
  readonly tags?: TagsInput;
  readonly description?: string;
  readonly wait?: WaitOptions;
}

/** Where a model URI points, with the registry metadata a server shows in `/model`. */
export interface ResolvedModel {
  readonly uri: string;
  /** Download location (an mlflow-artifacts:/ URI served through the tracking server). */
  readonly artifactUri: string;
  readonly name?: string;
  readonly version?: string;
  readonly alias?: string;
  readonly runId?: string;
  readonly modelId?: string;
  /** The model version's `source` as registered. */
  readonly source?: string;
  readonly modelVersion?: ModelVersion;
}

interface Deps {
  readonly runs: ReturnType<typeof runsApi>;
  readonly artifacts: ReturnType<typeof artifactsApi>;
  readonly loggedModels: ReturnType<typeof loggedModelsApi>;
  readonly registry: ReturnType<typeof registryApi>;
}

const MAX_INDIRECTIONS = 3;

/**
 * Run tags Python's fluent API also puts on a LoggedModel (context_registry.resolve_tags):
 * `mlflow.user` is the model page's "Created by".
 */
const CONTEXT_TAGS = [
  SYSTEM_TAGS.user,
  SYSTEM_TAGS.sourceName,
  SYSTEM_TAGS.sourceType,
  SYSTEM_TAGS.gitCommit,
] as const;

export function modelsApi({ runs, artifacts, loggedModels, registry }: Deps) {
  /**
   * Logs a model the MLflow 3 way: LoggedModel (params and context tags from the run) → run
   * output link → step metrics copied with model_id → the model's own `metrics` → files
   * uploaded to the model's artifact URI → finalized READY (UPLOAD_FAILED, then rethrow, if
   * anything fails after creation).
   */
  async function logModel(input: LogModelInput): Promise<LoggedModel> {
    const run = await runs.getRun(input.runId);
    const step = input.step ?? 0;
    const contextTags = Object.fromEntries(
      CONTEXT_TAGS.flatMap((key) => {
        const value = run.data.tags[key];
        return value === undefined ? [] : [[key, value]];
      }),
    );
    const model = await loggedModels.createLoggedModel({
      experimentId: run.info.experimentId,
      name: input.name,
      sourceRunId: input.runId,
      ...(input.modelType === undefined ? {} : { modelType: input.modelType }),
      params: { ...input.params, ...run.data.params },
      tags: { ...contextTags, ...input.tags },
    });
    try {
      await runs.logOutputs(input.runId, [{ modelId: model.modelId, step }]);
      const stepMetrics = [];
      for (const key of new Set(run.data.metrics.map((m) => m.key))) {
        const history = await runs.getMetricHistory(input.runId, key);
        stepMetrics.push(
          ...history
            .filter((m) => m.step === step && m.modelId === undefined)
            .map((m) => ({ ...m, modelId: model.modelId })),
        );
      }
      if (stepMetrics.length > 0) await runs.logMetrics(input.runId, stepMetrics);
      if (input.metrics !== undefined && input.metrics.length > 0) {
        await runs.logMetrics(
          input.runId,
          input.metrics.map((m) => ({ step, ...m, modelId: model.modelId })),
        );
      }
      const localDir = await input.writeArtifacts(model);
      await artifacts.uploadDirectory(model.artifactUri, localDir);
      return await loggedModels.finalizeLoggedModel(model.modelId, 'LOGGED_MODEL_READY');
    } catch (error) {
      await loggedModels
        .finalizeLoggedModel(model.modelId, 'LOGGED_MODEL_UPLOAD_FAILED')
        .catch(() => undefined);
      throw error;
    }
  }

  /** The LoggedModel named `name` that run `runId` produced (latest step wins), if any. */
  async function findRunLoggedModel(runId: string, name: string): Promise<LoggedModel | undefined> {
    const run = await runs.getRun(runId);
    const candidates = (
      await loggedModels.searchAllLoggedModels({
        experimentIds: [run.info.experimentId],
        filter: `name = '${name.replaceAll("'", "\\'")}'`,
      })
    ).filter((m) => m.sourceRunId === runId);
    const stepOf = new Map(run.outputs.modelOutputs.map((o) => [o.modelId, o.step]));
    return candidates.sort(
      (a, b) => (stepOf.get(b.modelId) ?? 0) - (stepOf.get(a.modelId) ?? 0),
    )[0];
  }

  /**
   * `runs:/<id>/<path>` → the run's own artifacts if an MLmodel sits there (2.x layout),
   * else the LoggedModel of that name from the run (3.x layout).
   */
  async function resolveRunModel(runId: string, path: string) {
    const run = await runs.getRun(runId);
    const listing = await artifacts.listArtifacts(run.info.artifactUri, path);
    if (listing.some((f) => f.path === joinArtifactPath(path, 'MLmodel'))) {
      return { artifactUri: `${run.info.artifactUri.replace(/\/+$/, '')}/${path}`, runId };
    }
    const model = path === '' ? undefined : await findRunLoggedModel(runId, path);
    if (!model) {
      throw new MlflowClientError(
        'MLFLOW_MODEL_NOT_FOUND',
        `Run ${runId} has no MLmodel at "${path}" and no logged model named "${path}".`,
      );
    }
    return { artifactUri: model.artifactUri, runId, modelId: model.modelId };
  }

  async function resolveVersion(
    uri: string,
    mv: ModelVersion,
    alias: string | undefined,
    depth: number,
  ): Promise<ResolvedModel> {
    let artifactUri = await registry.getModelVersionDownloadUri(mv.name, mv.version);
    let modelId = mv.modelId;
    if (/^(models|runs):/.test(artifactUri)) {
      // Sources stored verbatim (e.g. a literal runs:/ URI) still need resolving.
      const inner = await resolve(artifactUri, depth + 1);
      artifactUri = inner.artifactUri;
      modelId ??= inner.modelId;
    }
    return {
      uri,
      artifactUri,
      name: mv.name,
      version: mv.version,
      ...(alias === undefined ? {} : { alias }),
      ...(mv.runId === undefined ? {} : { runId: mv.runId }),
      ...(modelId === undefined ? {} : { modelId }),
      source: mv.source,
      modelVersion: mv,
    };
  }

  async function resolve(uri: string, depth: number): Promise<ResolvedModel> {
    if (depth > MAX_INDIRECTIONS) {
      throw new MlflowClientError('MLFLOW_INVALID_URI', `Model URI ${uri} resolves in a loop.`);
    }
    const parsed = parseModelUri(uri);
    switch (parsed.kind) {
      case 'version':
        return resolveVersion(
          uri,
          await registry.getModelVersion(parsed.name, parsed.version),
          undefined,
          depth,
        );
      case 'alias': {
        const mv = await registry.getModelVersionByAlias(parsed.name, parsed.alias);
        if (!mv) {
          throw new MlflowClientError(
            'MLFLOW_MODEL_NOT_FOUND',
            `Registered model "${parsed.name}" has no alias "${parsed.alias}"; set it first (e.g. pnpm run register).`,
          );
        }
        return resolveVersion(uri, mv, parsed.alias, depth);
      }
      case 'latest': {
        const versions = await registry.searchAllModelVersions({
          filter: `name = '${parsed.name.replaceAll("'", "\\'")}'`,
        });
        const latest = versions.sort((a, b) => Number(b.version) - Number(a.version))[0];
        if (!latest) {
          throw new MlflowClientError(
            'MLFLOW_MODEL_NOT_FOUND',
            `Registered model "${parsed.name}" has no versions.`,
          );
        }
        return resolveVersion(uri, latest, undefined, depth);
      }
      case 'stage':
        throw new MlflowClientError(
          'MLFLOW_INVALID_URI',
          `Model stages (${formatModelUri(parsed)}) are deprecated in MLflow 3; use an alias: models:/${parsed.name}@champion.`,
        );
      case 'logged-model': {
        const model = await loggedModels.getLoggedModel(parsed.modelId);
        return {
          uri,
          artifactUri: model.artifactUri,
          modelId: model.modelId,
          ...(model.sourceRunId === undefined ? {} : { runId: model.sourceRunId }),
        };
      }
      case 'run':
        return { uri, ...(await resolveRunModel(parsed.runId, parsed.path)) };
    }
  }

  /** `models:/name@alias`, `models:/name/N`, `models:/name/latest`, `models:/<model_id>`, `runs:/<id>/<path>`. */
  function resolveModelUri(uri: string): Promise<ResolvedModel> {
    return resolve(uri, 0);
  }

  /** Resolves and downloads the model directory into `localDir`. */
  async function downloadModel(
    uriOrResolved: string | ResolvedModel,
    localDir: string,
  ): Promise<{ model: ResolvedModel; files: string[] }> {
    const model =
      typeof uriOrResolved === 'string' ? await resolveModelUri(uriOrResolved) : uriOrResolved;
    const files = await artifacts.downloadArtifacts(model.artifactUri, localDir);
    return { model, files };
  }

  /**
   * Registers a model like `mlflow.register_model`: creates the registered model if needed,
   * turns `runs:/` into the run's artifact location or its LoggedModel (`models:/<model_id>`,
   * sent with model_id so the server links both ways), and waits until READY.
   */
  async function registerModel(
    modelUri: string,
    name: string,
    options: RegisterModelOptions = {},
  ): Promise<ModelVersion> {
    await registry.getOrCreateRegisteredModel({ name });
    let source = modelUri;
    let runId: string | undefined;
    let modelId: string | undefined;
    if (/^(models|runs):/.test(modelUri)) {
      const parsed = parseModelUri(modelUri);
      if (parsed.kind === 'run') {
        const found = await resolveRunModel(parsed.runId, parsed.path);
        runId = found.runId;
        modelId = found.modelId;
        source = modelId === undefined ? found.artifactUri : `models:/${modelId}`;
      } else if (parsed.kind === 'logged-model') {
        modelId = parsed.modelId;
      }
    }
    const mv = await registry.createModelVersion({
      name,
      source,
      ...(runId === undefined || modelId !== undefined ? {} : { runId }),
      ...(modelId === undefined ? {} : { modelId }),
      ...(options.tags === undefined ? {} : { tags: options.tags }),
      ...(options.description === undefined ? {} : { description: options.description }),
    });
    return registry.waitUntilReady(mv.name, mv.version, options.wait);
  }

  return { logModel, registerModel, resolveModelUri, downloadModel, findRunLoggedModel };
}
