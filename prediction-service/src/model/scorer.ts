/**
 * The hot path: score validated records with the current model, count out-of-range inputs
 * and record prediction metrics. Per-model metric children are cached so a request does no
 * label hashing.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { FeatureName, WineRecord } from '@wine/model';
import type { Counter } from 'prom-client';
import { ServiceError } from '../errors';
import { counterRecorder, histogramRecorder } from '../metric-recorders';
import type { ServiceMetrics } from '../metrics';
import type { PredictionEvent, PredictionSink } from '../prediction-sink';
import type { ModelStore } from './model-store';
import type { ModelInfo, ServableModel } from './servable-model';

export interface Scored {
  readonly predictions: number[];
  readonly model: ModelInfo;
}

export interface Scorer {
  score(
    records: readonly WineRecord[],
    context: Pick<PredictionEvent, 'requestId' | 'endpoint'>,
  ): Scored;
}

interface Prepared {
  readonly model: ServableModel;
  readonly checks: ReadonlyArray<{ name: FeatureName; min: number; max: number }>;
  readonly predictions: (n: number) => void;
  readonly values: (v: number) => void;
}

export function createScorer(deps: {
  store: ModelStore;
  metrics: ServiceMetrics;
  sink: PredictionSink;
}): Scorer {
  const { store, metrics, sink } = deps;
  let prepared: Prepared | undefined;
  const outOfRange = new Map<FeatureName, ReturnType<Counter<'feature'>['labels']>>();
  for (const name of FEATURE_NAMES)
    outOfRange.set(name, metrics.outOfRange.labels({ feature: name }));

  function prepare(model: ServableModel): Prepared {
    const labels = { model_version: model.info.version };
    return {
      model,
      checks: FEATURE_NAMES.flatMap((name) => {
        const r = model.ranges[name];
        return r === undefined ? [] : [{ name, min: r.min, max: r.max }];
      }),
      predictions: counterRecorder(metrics.predictions, labels),
      values: histogramRecorder(metrics.predictionValue, labels),
    };
  }

  return {
    score(records, context) {
      const model = store.current();
      if (model === undefined) {
        throw new ServiceError('MODEL_NOT_READY', 'No model is loaded yet; retry shortly.');
      }
      if (prepared?.model !== model) prepared = prepare(model);
      const p = prepared;
      for (const check of p.checks) {
        let count = 0;
        for (const record of records) {
          const v = record[check.name];
          if (v < check.min || v > check.max) count++;
        }
        if (count > 0) outOfRange.get(check.name)?.inc(count);
      }
      const predictions = model.predictRecords(records);
      p.predictions(predictions.length);
      for (const value of predictions) p.values(value);
      // Spelled out, not `...context`: the spread was most of score()'s own CPU time.
      sink.record({
        requestId: context.requestId,
        endpoint: context.endpoint,
        model: model.info,
        records,
        predictions,
        receivedAt: Date.now(),
      });
      return { predictions, model: model.info };
    },
  };
}
