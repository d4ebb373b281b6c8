/**
 * One monitor run: find the served model from the newest logged prediction, read its drift
 * window, compute drift against its training reference (@wine/drift), and live error and
 * feedback coverage per version. Reads go through the injected `db` (the prediction log);
 * a missing reference does not stop live error from being computed.
 */
import { computeDrift, wineCurrentColumns } from '@wine/drift';
import type { DriftOptions, DriftReport } from '@wine/drift';
import { feedbackCoverage, latestLoggedModel, liveErrorByVersion, readWindow } from '@wine/db';
import type { FeedbackCoverage, LiveError, Pool } from '@wine/db';
import type { ReferenceResolver, ServedModel } from './reference-resolver';
import { ReferenceUnavailable } from './reference-resolver';

export interface RunSettings {
  readonly windowRows: number;
  readonly windowMinutes: number | undefined;
  readonly drift: DriftOptions;
  readonly errorWindowRows: number;
  readonly errorWindowMinutes: number;
}

export interface RunResult {
  readonly at: number;
  /** undefined while the prediction log is empty. */
  readonly model: ServedModel | undefined;
  readonly windowRows: number;
  readonly drift: DriftReport | undefined;
  readonly referenceOrigin: string | undefined;
  /** Why there is no drift result, when there is none. */
  readonly driftProblem:
    { readonly dependency: 'mlflow' | 'artifact' | 'drift'; readonly message: string } | undefined;
  readonly liveError: readonly LiveError[];
  readonly coverage: readonly FeedbackCoverage[];
}

export async function runMonitor(
  deps: { db: Pick<Pool, 'query'>; resolver: ReferenceResolver; now?: () => number },
  settings: RunSettings,
): Promise<RunResult> {
  const now = (deps.now ?? Date.now)();
  const errorSince = now - settings.errorWindowMinutes * 60_000;
  const [logged, liveError, coverage] = await Promise.all([
    latestLoggedModel(deps.db),
    liveErrorByVersion(deps.db, { maxRows: settings.errorWindowRows, since: errorSince }),
    feedbackCoverage(deps.db, { since: errorSince }),
  ]);
  const base = { at: now, liveError, coverage };
  if (logged === undefined) {
    return {
      ...base,
      model: undefined,
      windowRows: 0,
      drift: undefined,
      referenceOrigin: undefined,
      driftProblem: undefined,
    };
  }
  const model: ServedModel = { name: logged.name, version: logged.version, source: logged.source };
  const window = await readWindow(deps.db, {
    modelVersion: model.version,
    maxRows: settings.windowRows,
    since: settings.windowMinutes === undefined ? undefined : now - settings.windowMinutes * 60_000,
  });
  let resolved;
  try {
    resolved = await deps.resolver.resolve(model);
  } catch (error) {
    const dependency = error instanceof ReferenceUnavailable ? error.dependency : 'drift';
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...base,
      model,
      windowRows: window.rows,
      drift: undefined,
      referenceOrigin: undefined,
      driftProblem: { dependency, message },
    };
  }
  const current = wineCurrentColumns({
    rows: window.rows,
    features: window.features,
    wineType: window.wineType,
    prediction: window.predictions,
  });
  const drift = computeDrift(resolved.reference, current, settings.drift);
  return {
    ...base,
    model,
    windowRows: window.rows,
    drift,
    referenceOrigin: resolved.origin,
    driftProblem: undefined,
  };
}
