/**
 * What a long-running scoring process serves from, given MODEL_URI (mapped by
 * modelSourceFor): a model directory, the bundled model, or MLflow with the bundled model as
 * fallback while the registry cannot deliver. The service and the stream scorer both start
 * from here so they serve the same model the same way.
 */
import { createMlflowClient } from 'mlflow-ts-client';
import type { Logger } from 'pino';
import type { MlflowConfig, ModelUri } from '../config';
import { BUNDLED_MODEL_DIR, createDirectorySource } from './directory-source';
import type { ModelStore } from './model-store';
import type { ModelSource } from './servable-model';
import { modelSourceFor } from './source-for-uri';

export interface ConfiguredSources {
  readonly source: ModelSource;
  /** Served while the source has never delivered (MLflow URIs only). */
  readonly fallback?: ModelSource;
}

export function servingSourcesFor(
  options: { readonly modelUri: ModelUri; readonly mlflow: MlflowConfig | undefined },
  logger: Logger,
): ConfiguredSources {
  const uri = options.modelUri;
  if (uri.kind !== 'mlflow' || options.mlflow === undefined) {
    return { source: modelSourceFor(uri.kind === 'file' ? uri : { kind: 'bundled' }) };
  }
  const client = createMlflowClient({
    trackingUri: options.mlflow.trackingUri,
    credentials: options.mlflow.credentials,
    timeoutMs: options.mlflow.timeoutMs,
    retries: options.mlflow.retries,
  });
  return {
    source: modelSourceFor(uri, { mlflow: client, logger }),
    // The registry being down must not keep the process from scoring.
    fallback: createDirectorySource(BUNDLED_MODEL_DIR, 'fallback'),
  };
}

/**
 * The first load, then polling every `pollIntervalS` (0 = never). With polling off, no model
 * after the first load is fatal — nothing would ever be served — so the process exits 1
 * saying what to fix; with polling on it keeps trying (and serves the fallback meanwhile).
 * Returns the function that stops polling.
 */
export async function loadAndPoll(
  store: ModelStore,
  pollIntervalS: number,
  logger: Logger,
): Promise<() => void> {
  const first = await store.reload();
  if (store.current() === undefined && pollIntervalS === 0) {
    logger.fatal(
      { source: store.source.describe(), reason: first.reason },
      'cannot load the model; fix MODEL_URI or set MODEL_POLL_INTERVAL_S to keep retrying',
    );
    process.exit(1);
  }
  return pollIntervalS > 0 ? store.poll(pollIntervalS) : () => undefined;
}
