import { artifactsApi, type DownloadLimits } from './api/artifacts';
import type { ApiContext } from './api/context';
import { experimentsApi } from './api/experiments';
import { loggedModelsApi } from './api/logged-models';
import { modelsApi } from './api/models';
import { registryApi } from './api/registry';
import { runsApi } from './api/runs';
import { createTransport, type TransportOptions } from './transport';

export interface MlflowClientOptions extends TransportOptions {
  /** Injected for tests; default Date.now. */
  readonly now?: () => number;
  /** Caps and deadlines for artifact downloads (DEFAULT_DOWNLOAD_LIMITS otherwise). */
  readonly downloadLimits?: Partial<DownloadLimits>;
}

/**
 * Composition root of the client (C6): one transport shared by flat, thin API groups.
 * Everything is a plain function on the returned object, so callers can pass methods around.
 */
export function createMlflowClient(options: MlflowClientOptions) {
  const transport = createTransport(options);
  const ctx: ApiContext = {
    transport,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
  const runs = runsApi(ctx);
  const artifacts = artifactsApi(ctx, options.downloadLimits);
  const loggedModels = loggedModelsApi(ctx);
  const registry = registryApi(ctx);
  const models = modelsApi({ runs, artifacts, loggedModels, registry });
  return {
    trackingUri: transport.baseUrl,
    ...experimentsApi(ctx),
    ...runs,
    ...artifacts,
    ...loggedModels,
    ...registry,
    ...models,
  };
}

export type MlflowClient = ReturnType<typeof createMlflowClient>;
