/**
 * Holds the served model and swaps it atomically. A candidate must pass `validateCandidate`
 * before it replaces the current model; a bad one is counted, logged and dropped while the
 * last good model keeps serving.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { Logger } from 'pino';
import type { ReloadResult, ServiceMetrics } from '../metrics';
import type { ModelInfo, ModelSource, ServableModel } from './servable-model';

/** model.json format versions this service can serve. */
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1];
const EXPECTED_FEATURES: readonly string[] = [...FEATURE_NAMES, 'wine_type'];

export interface ReloadOutcome {
  readonly result: ReloadResult;
  /** The model serving after the attempt (undefined only if none was ever loaded). */
  readonly model: ModelInfo | undefined;
  /** Why a candidate was rejected. */
  readonly reason?: string;
}

export interface ModelStore {
  current(): ServableModel | undefined;
  readonly source: ModelSource;
  /** Loads a candidate from the source and swaps it in if valid. Concurrent calls share one attempt. */
  reload(): Promise<ReloadOutcome>;
  /** Re-checks the source every `seconds`; returns a function that stops polling. */
  poll(seconds: number): () => void;
}

export interface ModelStoreDeps {
  readonly source: ModelSource;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
}

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
  const { source, metrics, logger } = deps;
  let served: ServableModel | undefined;
  let inFlight: Promise<ReloadOutcome> | undefined;

  function publish(next: ServableModel): void {
    const previous = served;
    served = next;
    if (previous !== undefined) {
      const { name, version, source: src } = previous.info;
      metrics.modelInfo.remove({ name, version, source: src });
    }
    const { name, version, source: src } = next.info;
    metrics.modelInfo.set({ name, version, source: src }, 1);
  }

  async function attempt(): Promise<ReloadOutcome> {
    let candidate: ServableModel | undefined;
    let reason: string | undefined;
    try {
      candidate = await source.load();
      reason = validateCandidate(candidate);
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    if (candidate === undefined || reason !== undefined) {
      reason ??= 'the source returned no model';
      metrics.modelReloads.inc({ result: 'rejected' });
      logger.error(
        { source: source.describe(), reason, serving: served?.info.version ?? null },
        'model candidate rejected; the previous model keeps serving',
      );
      return { result: 'rejected', model: served?.info, reason };
    }
    if (served !== undefined && served.info.sha256 === candidate.info.sha256) {
      metrics.modelReloads.inc({ result: 'unchanged' });
      logger.debug({ version: served.info.version }, 'model unchanged');
      return { result: 'unchanged', model: served.info };
    }
    const before = served?.info.version ?? null;
    publish(candidate);
    metrics.modelReloads.inc({ result: 'swapped' });
    logger.info(
      { from: before, to: candidate.info.version, source: candidate.info.source },
      'model swapped in',
    );
    return { result: 'swapped', model: candidate.info };
  }

  return {
    source,
    current: () => served,
    reload() {
      inFlight ??= attempt().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    poll(seconds) {
      const timer = setInterval(() => {
        void this.reload();
      }, seconds * 1000);
      timer.unref();
      return () => {
        clearInterval(timer);
      };
    },
  };
}
