/**
 * The model of a batch run, loaded through the service's own model-source code (bundled,
 * file:<dir>, models:/…, runs:/…) and pinned: an alias is resolved to its version once, so
 * every worker of a partitioned run scores with the same model, checked by sha256.
 */
import path from 'node:path';
import { BatchError, type BatchModel } from '@wine/batch';
import {
  ConfigError,
  modelSourceFor,
  parseModelUri,
  type ModelInfo,
} from '@wine/prediction-service';
import type { MlflowClient } from 'mlflow-ts-client';

export interface LoadedBatchModel {
  readonly model: BatchModel;
  /** A URI that names exactly this model (alias → version, relative dir → absolute). */
  readonly pinnedUri: string;
  readonly sha256: string;
  readonly info: ModelInfo;
}

export interface BatchModelDeps {
  /** Called only for models:/ and runs:/ URIs. */
  readonly mlflow: () => MlflowClient;
}

function pin(raw: string | undefined, info: ModelInfo): string {
  const uri = parseModelUri(raw);
  if (uri.kind === 'bundled') return 'bundled';
  if (uri.kind === 'file') return `file:${path.resolve(uri.dir)}`;
  const alias = /^models:\/([^/@]+)@[^/]+$/.exec(uri.uri);
  return alias === null ? uri.uri : `models:/${alias[1] ?? info.name}/${info.version}`;
}

export async function loadBatchModel(
  raw: string | undefined,
  deps: BatchModelDeps,
  expectedSha256?: string,
): Promise<LoadedBatchModel> {
  let uri;
  try {
    uri = parseModelUri(raw);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new BatchError(
        'BATCH_OPTIONS_INVALID',
        `--model: ${error.message.replace(/^MODEL_URI/, '')}`,
      );
    }
    throw error;
  }
  const source = modelSourceFor(uri, uri.kind === 'mlflow' ? { mlflow: deps.mlflow() } : {});
  const servable = await source.load();
  if (expectedSha256 !== undefined && servable.info.sha256 !== expectedSha256) {
    throw new BatchError(
      'BATCH_MODEL_MISMATCH',
      `${raw ?? 'bundled'} is model ${servable.info.sha256.slice(0, 12)} here, but the run was planned with ${expectedSha256.slice(0, 12)}: ` +
        'every worker must see the same model (same registry version / same model directory)',
    );
  }
  return {
    model: { version: servable.info.version, predict: (x) => servable.predictMatrix(x) },
    pinnedUri: pin(raw, servable.info),
    sha256: servable.info.sha256,
    info: servable.info,
  };
}
