import { MlflowClientError } from './errors';

/**
 * Pure planning of `runs/log-batch` requests. The server (mlflow/utils/validation.py, 3.17.2)
 * rejects a request with more than 1000 metrics, 100 params, 100 tags or 1000 entities in
 * total, and truncates param values past 6000 and tag values past 8000 characters (code
 * points) unless MLFLOW_TRUNCATE_LONG_VALUES=false, where it rejects them. Its 1 MB check
 * measures the wrong thing (the number of top-level keys), but proxies in front of it have
 * body limits, so requests are also kept under 1 MB as the Python client does.
 */

export const LOG_BATCH_LIMITS = {
  maxMetrics: 1000,
  maxParams: 100,
  maxTags: 100,
  maxEntities: 1000,
  maxBodyBytes: 1_000_000,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
} as const;

export type LogBatchLimits = { readonly [K in keyof typeof LOG_BATCH_LIMITS]: number };

export interface MetricInput {
  readonly key: string;
  /** NaN and ±Infinity are allowed; the SQL store keeps ±Infinity as ±Number.MAX_VALUE. */
  readonly value: number;
  /** Epoch ms; defaults to the time of the call. */
  readonly timestamp?: number;
  readonly step?: number;
  /** MLflow 3: attach the value to a LoggedModel (shown on the model page). */
  readonly modelId?: string;
  readonly datasetName?: string;
  readonly datasetDigest?: string;
}

export type ParamValue = string | number | boolean;

export interface LogBatchInput {
  readonly metrics?: readonly MetricInput[];
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly tags?: Readonly<Record<string, string>>;
}

export type WireMetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

export interface WireMetric {
  key: string;
  value: WireMetricValue;
  timestamp: number;
  step: number;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

export interface WireKeyValue {
  key: string;
  value: string;
}

export interface LogBatchRequest {
  run_id: string;
  metrics: WireMetric[];
  params: WireKeyValue[];
  tags: WireKeyValue[];
}

/** JSON.stringify(NaN) is null, which the server rejects; protobuf JSON wants these strings. */
export function toWireMetricValue(value: number): WireMetricValue {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

/** Python counts code points, so a UTF-16 slice could both split a pair and miscount. */
export function truncateCodePoints(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = Array.from(value);
  return points.length <= max ? value : points.slice(0, max).join('');
}

export function toWireMetric(metric: MetricInput, now: number): WireMetric {
  return {
    key: metric.key,
    value: toWireMetricValue(metric.value),
    timestamp: Math.trunc(metric.timestamp ?? now),
    step: Math.trunc(metric.step ?? 0),
    ...(metric.modelId === undefined ? {} : { model_id: metric.modelId }),
    ...(metric.datasetName === undefined ? {} : { dataset_name: metric.datasetName }),
    ...(metric.datasetDigest === undefined ? {} : { dataset_digest: metric.datasetDigest }),
  };
}

function wireParams(params: Readonly<Record<string, ParamValue>>, max: number): WireKeyValue[] {
  return Object.entries(params).map(([key, value]) => ({
    key,
    value: truncateCodePoints(String(value), max),
  }));
}

function wireTags(tags: Readonly<Record<string, string>>, max: number): WireKeyValue[] {
  return Object.entries(tags).map(([key, value]) => ({
    key,
    value: truncateCodePoints(value, max),
  }));
}

type Entity =
  | { kind: 'metric'; value: WireMetric }
  | { kind: 'param'; value: WireKeyValue }
  | { kind: 'tag'; value: WireKeyValue };

/**
 * Split one logical batch into as few requests as the limits allow, keeping order (params,
 * then tags, then metrics in the given order, so a metric's history stays in step order).
 */
export function planLogBatch(
  runId: string,
  input: LogBatchInput,
  now: number,
  limits: LogBatchLimits = LOG_BATCH_LIMITS,
): LogBatchRequest[] {
  const entities: Entity[] = [
    ...wireParams(input.params ?? {}, limits.maxParamValueLength).map((value): Entity => ({
      kind: 'param',
      value,
    })),
    ...wireTags(input.tags ?? {}, limits.maxTagValueLength).map((value): Entity => ({
      kind: 'tag',
      value,
    })),
    ...(input.metrics ?? []).map((m): Entity => ({ kind: 'metric', value: toWireMetric(m, now) })),
  ];
  const emptyBytes = Buffer.byteLength(
    JSON.stringify({ run_id: runId, metrics: [], params: [], tags: [] }),
  );
  const requests: LogBatchRequest[] = [];
  let current: LogBatchRequest = { run_id: runId, metrics: [], params: [], tags: [] };
  let bytes = emptyBytes;
  const fits = (entity: Entity, size: number): boolean => {
    const total = current.metrics.length + current.params.length + current.tags.length;
    if (total + 1 > limits.maxEntities || bytes + size >= limits.maxBodyBytes) return false;
    if (entity.kind === 'metric') return current.metrics.length + 1 <= limits.maxMetrics;
    if (entity.kind === 'param') return current.params.length + 1 <= limits.maxParams;
    return current.tags.length + 1 <= limits.maxTags;
  };
  for (const entity of entities) {
    const size = Buffer.byteLength(JSON.stringify(entity.value)) + 1;
    if (!fits(entity, size)) {
      if (bytes === emptyBytes) {
        throw new MlflowClientError(
          'MLFLOW_INVALID_ARGUMENT',
          `A single ${entity.kind} (${entity.value.key}) does not fit in one log-batch request.`,
        );
      }
      requests.push(current);
      current = { run_id: runId, metrics: [], params: [], tags: [] };
      bytes = emptyBytes;
    }
    if (entity.kind === 'metric') current.metrics.push(entity.value);
    else if (entity.kind === 'param') current.params.push(entity.value);
    else current.tags.push(entity.value);
    bytes += size;
  }
  if (bytes !== emptyBytes) requests.push(current);
  return requests;
}
