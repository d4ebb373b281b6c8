/**
 * The CLIs' connection to MLflow: the tracking URI from --tracking-uri or MLFLOW_TRACKING_URI,
 * credentials and HTTP settings from the MLFLOW_* variables (read by mlflow-ts-client's
 * config), and a second client with a short fuse for the first call, so an unreachable
 * server is one clear line within seconds instead of minutes of retries.
 */
import { createMlflowClient, mlflowOptionsFromEnv, type MlflowClient } from 'mlflow-ts-client';

export interface MlflowConnection {
  readonly trackingUri: string;
  readonly client: MlflowClient;
  readonly preflight: MlflowClient;
}

const PREFLIGHT = {
  retries: 1,
  timeoutMs: 10_000,
  backoff: { initialDelayMs: 300, jitterMs: 200 },
} as const;

export const TRACKING_OFF =
  'tracking is off (set MLFLOW_TRACKING_URI or --tracking-uri to log runs)';

export function connectMlflow(
  trackingUriOption: string | undefined,
  env: NodeJS.ProcessEnv,
): MlflowConnection | undefined {
  const fromEnv = mlflowOptionsFromEnv(env);
  const trackingUri = trackingUriOption ?? fromEnv.trackingUri;
  if (trackingUri === undefined) return undefined;
  const base = { ...fromEnv, trackingUri };
  return {
    trackingUri,
    client: createMlflowClient(base),
    preflight: createMlflowClient({ ...base, ...PREFLIGHT }),
  };
}
