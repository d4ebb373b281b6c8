/**
 * Holds the served model and swaps it atomically. A candidate must pass `validateCandidate`
 * before it replaces the current model; a bad one is counted, logged and dropped while the
 * last good model keeps serving.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { Logger } from 'pino';
import type { ReloadResult, ServiceMetrics } from '../metrics';
import { isContentError } from './servable-model';
import type { LocatedModel, ModelInfo, ModelSource, ServableModel } from './servable-model';

/** model.json format versions this service can serve. */
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1];
const EXPECTED_FEATURES: readonly string[] = [...FEATURE_NAMES, 'wine_type'];

export interface ReloadOutcome {
  readonly result: ReloadResult;
  /** The model serving after the attempt (undefined only if none was ever loaded). */
  readonly model: ModelInfo | undefined;
  /** Why a candidate was rejected, or why the source could not be asked. */
  readonly reason?: string;
}

/** The last check of the source, shown in /model. */
export interface SourceCheck {
  readonly at: string;
  readonly result: ReloadResult;
  readonly reason?: string;
  /** Checks in a row that could not reach the source. */
  readonly consecutiveErrors: number;
}

export interface ReloadOptions {
  /**
   * Download even when the source still points at the served (or a known-bad) artifact, and
   * compare by sha256 (admin reloads: catches an artifact overwritten in place).
   */
  readonly force?: boolean;
}

export interface ModelStore {
  current(): ServableModel | undefined;
  readonly source: ModelSource;
  /** True while the fallback model stands in for the configured source. */
  usingFallback(): boolean;
  lastCheck(): SourceCheck | undefined;
  /** Loads a candidate from the source and swaps it in if valid. Concurrent calls share one attempt. */
  reload(options?: ReloadOptions): Promise<ReloadOutcome>;
  /** Re-checks the source every `seconds` (±10 % jitter); returns a function that stops polling. */
  poll(seconds: number): () => void;
}

export interface ModelStoreDeps {
  readonly source: ModelSource;
  /** Served (labelled "fallback") while the source has never delivered a valid model. */
  readonly fallback?: ModelSource;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  /** Injected for tests; default Math.random. */
  readonly random?: () => number;
}

/** Spreads polls of many workers/replicas so they do not hit the registry in lockstep. */
export const POLL_JITTER = 0.1;

export function jitteredDelayMs(seconds: number, random: () => number): number {
  return Math.round(seconds * 1000 * (1 + (random() * 2 - 1) * POLL_JITTER));
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Returns why the candidate must not be served, or undefined if it may. */
export function validateCandidate(candidate: ServableModel): string | undefined {
  const info = candidate.info;
  if (!SUPPORTED_FORMAT_VERSIONS.includes(info.formatVersion)) {
    return `model format version ${info.formatVersion} is not supported (supported: ${SUPPORTED_FORMAT_VERSIONS.join(', ')})`;
  }
  const same =
    info.features.length === EXPECTED_FEATURES.length &&
    info.features.every((name, i) => name === EXPECTED_FEATURES[i]);
  if (!same) {
    return `feature schema mismatch: model has [${info.features.join(', ')}], the service needs [${EXPECTED_FEATURES.join(', ')}]`;
  }
  const example = candidate.inputExample;
  if (example.length === 0) return 'the model has no input example to smoke-test';
  let predictions: number[];
  try {
    predictions = candidate.predictRecords(example);
  } catch (error) {
    return `smoke prediction failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (predictions.length !== example.length) {
    return `smoke prediction returned ${predictions.length} values for ${example.length} rows`;
  }
  const bad = predictions.findIndex((p) => !Number.isFinite(p));
  return bad >= 0
    ? `smoke prediction ${bad} is not a finite number: ${String(predictions[bad])}`
    : undefined;
}

export function createModelStore(deps: ModelStoreDeps): ModelStore {
  const { source, fallback, metrics, logger } = deps;
  const random = deps.random ?? Math.random;
  let served: ServableModel | undefined;
  let onFallback = false;
  /** Fingerprint of the last artifact that failed validation: polls do not fetch it again. */
  let rejectedFingerprint: string | undefined;
  let check: SourceCheck | undefined;
  let inFlight: { promise: Promise<ReloadOutcome>; force: boolean } | undefined;

  function publish(next: ServableModel, isFallback: boolean): void {
    const previous = served;
    served = next;
    onFallback = isFallback;
    metrics.modelSourceFallback.set(isFallback ? 1 : 0);
    if (previous !== undefined) {
      const { name, version, source: src } = previous.info;
      metrics.modelInfo.remove({ name, version, source: src });
    }
    const { name, version, source: src } = next.info;
    metrics.modelInfo.set({ name, version, source: src }, 1);
  }

  function record(result: ReloadResult, reason?: string): void {
    metrics.modelReloads.inc({ result });
    const errors = result === 'error' ? (check?.consecutiveErrors ?? 0) + 1 : 0;
    if (result !== 'error') {
      metrics.modelSourceLastSuccess.set(Date.now() / 1000);
      if ((check?.consecutiveErrors ?? 0) > 0) {
        logger.info(
          { source: source.describe(), failedChecks: check?.consecutiveErrors },
          'model source reachable again',
        );
      }
    }
    check = {
      at: new Date().toISOString(),
      result,
      ...(reason === undefined ? {} : { reason }),
      consecutiveErrors: errors,
    };
  }

  /** Nothing served yet: the fallback keeps the service useful while polls keep trying. */
  async function useFallback(): Promise<void> {
    if (served !== undefined || fallback === undefined) return;
    try {
      const model = await fallback.load();
      const bad = validateCandidate(model);
      if (bad !== undefined) throw new Error(bad);
      publish(model, true);
      logger.warn(
        { source: source.describe(), fallback: model.info.version },
        'serving the bundled fallback model until the configured source delivers one',
      );
    } catch (error) {
      logger.error({ reason: messageOf(error) }, 'the fallback model cannot be loaded either');
    }
  }

  async function unavailable(reason: string): Promise<ReloadOutcome> {
    const repeated = check?.result === 'error' && check.reason === reason;
    record('error', reason);
    const log = { source: source.describe(), reason, serving: served?.info.version ?? null };
    if (repeated) logger.debug(log, 'model source still unavailable');
    else logger.warn(log, 'model source unavailable; the current model keeps serving');
    await useFallback();
    return { result: 'error', model: served?.info, reason };
  }

  async function rejected(reason: string, fingerprint: string | undefined): Promise<ReloadOutcome> {
    rejectedFingerprint = fingerprint;
    record('rejected', reason);
    logger.error(
      { source: source.describe(), reason, serving: served?.info.version ?? null },
      'model candidate rejected; the previous model keeps serving',
    );
    await useFallback();
    return { result: 'rejected', model: served?.info, reason };
  }

  function unchanged(why: string): ReloadOutcome {
    record('unchanged');
    logger.debug({ version: served?.info.version, why }, 'model unchanged');
    return { result: 'unchanged', model: served?.info };
  }

  async function attempt(force: boolean): Promise<ReloadOutcome> {
    let located: LocatedModel | undefined;
    let candidate: ServableModel;
    try {
      if (source.locate !== undefined) {
        located = await source.locate();
        if (!force && located.fingerprint === served?.fingerprint) {
          return unchanged('the source still points at the served artifact');
        }
        if (!force && located.fingerprint === rejectedFingerprint) {
          return unchanged('the source still points at the rejected artifact');
        }
      }
      candidate = await (located === undefined ? source.load() : located.load());
    } catch (error) {
      // Only a broken artifact condemns a version; a local or network failure is retried.
      if (isContentError(error)) return rejected(messageOf(error), located?.fingerprint);
      return unavailable(messageOf(error));
    }
    const reason = validateCandidate(candidate);
    if (reason !== undefined) return rejected(reason, candidate.fingerprint);
    if (
      served !== undefined &&
      served.info.sha256 === candidate.info.sha256 &&
      served.info.source === candidate.info.source &&
      served.fingerprint === candidate.fingerprint
    ) {
      return unchanged('same artifact');
    }
    const before = served?.info.version ?? null;
    publish(candidate, false);
    record('swapped');
    logger.info(
      { from: before, to: candidate.info.version, source: candidate.info.source },
      'model swapped in',
    );
    return { result: 'swapped', model: candidate.info };
  }

  function reload(options: ReloadOptions = {}): Promise<ReloadOutcome> {
    const force = options.force ?? false;
    if (inFlight !== undefined && (inFlight.force || !force)) return inFlight.promise;
    // A forced reload never rides on a cheaper poll: it runs after it.
    const previous = inFlight?.promise ?? Promise.resolve();
    const promise = previous
      .catch(() => undefined)
      .then(() => attempt(force))
      .finally(() => {
        if (inFlight?.promise === promise) inFlight = undefined;
      });
    inFlight = { promise, force };
    return promise;
  }

  return {
    source,
    current: () => served,
    usingFallback: () => onFallback,
    lastCheck: () => check,
    reload,
    poll(seconds) {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      // A chain of timeouts, not setInterval: a slow check (registry down, retries) never stacks.
      const schedule = (): void => {
        timer = setTimeout(
          () => {
            reload()
              .catch((error: unknown) => {
                logger.error({ reason: messageOf(error) }, 'model poll failed unexpectedly');
              })
              .finally(() => {
                if (!stopped) schedule();
              });
          },
          jitteredDelayMs(seconds, random),
        );
        timer.unref();
      };
      schedule();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
  };
}
