/**
 * MODEL_URI → the ModelSource that loads it: the one mapping the service, batch scoring and
 * any other consumer share (bundled, file:<dir>, models:/…, runs:/…).
 */
import type { Logger } from 'pino';
import type { ModelUri } from '../config';
import { createBundledSource, createDirectorySource } from './directory-source';
import { createMlflowSource, type MlflowSourceClient } from './mlflow-source';
import type { ModelSource } from './servable-model';

export interface ModelSourceDeps {
  /** Needed for models:/ and runs:/ URIs. */
  readonly mlflow?: MlflowSourceClient;
  readonly logger?: Pick<Logger, 'warn'>;
}

export function modelSourceFor(uri: ModelUri, deps: ModelSourceDeps = {}): ModelSource {
  switch (uri.kind) {
    case 'bundled':
      return createBundledSource();
    case 'file':
      return createDirectorySource(uri.dir);
    case 'mlflow':
      if (deps.mlflow === undefined) {
        throw new TypeError(`${uri.uri} needs an MLflow client (MLFLOW_TRACKING_URI)`);
      }
      return createMlflowSource({
        uri: uri.uri,
        client: deps.mlflow,
        ...(deps.logger === undefined ? {} : { logger: deps.logger }),
      });
  }
}
