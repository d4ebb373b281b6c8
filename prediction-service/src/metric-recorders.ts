/**
 * Hot-path recording into prom-client metrics for one fixed label set. prom-client validates
 * and hashes the labels on every `observe`/`inc`, even through a `.labels()` child; for a
 * single-record /predict (two histograms and a counter) that was ~1.5 µs, a tenth of the
 * request's own CPU. A recorder finds the label set's entry once and then adds to it directly,
 * so the registry exposes exactly what prom-client's own calls would have produced
 * (metric-recorders.test.ts compares the two).
 *
 * This relies on prom-client 15's storage (`hashMap` of `{labels, value}` / `{labels,
 * bucketValues, sum, count}`, `upperBounds`); when it does not look like that, a recorder
 * falls back to the public API. A metric must not be `reset()` while recorders hold entries
 * (the service never resets its metrics).
 */
import type { Counter, Histogram, LabelValues } from 'prom-client';

interface HistogramEntry {
  labels: LabelValues<string>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}
interface CounterEntry {
  labels: LabelValues<string>;
  value: number;
}
interface Storage<E> {
  hashMap?: Record<string, E>;
  upperBounds?: number[];
}

function sameLabels(a: LabelValues<string>, b: LabelValues<string>): boolean {
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  for (const key of keys) if (String(a[key]) !== String(b[key])) return false;
  return true;
}

function findEntry<E extends { labels: LabelValues<string> }>(
  storage: Storage<E>,
  labels: LabelValues<string>,
): E | undefined {
  const map = storage.hashMap;
  if (typeof map !== 'object') return undefined;
  for (const entry of Object.values(map)) if (sameLabels(entry.labels, labels)) return entry;
  return undefined;
}

/** `observe(value)` for `histogram` with `labels`, without per-call label handling. */
export function histogramRecorder<T extends string>(
  histogram: Histogram<T>,
  labels: LabelValues<T>,
): (value: number) => void {
  const fallback = (value: number): void => {
    histogram.observe(labels, value);
  };
  const storage = histogram as unknown as Storage<HistogramEntry>;
  let entry = findEntry(storage, labels);
  if (entry === undefined) {
    histogram.zero(labels);
    entry = findEntry(storage, labels);
  }
  const bounds = storage.upperBounds;
  if (entry === undefined || !Array.isArray(bounds)) return fallback;
  for (const bound of bounds) if (typeof entry.bucketValues[bound] !== 'number') return fallback;
  const found = entry;
  const buckets = entry.bucketValues as Record<string, number>;
  const upper = Float64Array.from(bounds);
  // The bucket keys as strings once: `buckets[5.25]` would format the number on every call.
  const keys = bounds.map(String);
  return (value) => {
    // Non-finite values take prom-client's path, which refuses them.
    if (value - value !== 0) {
      fallback(value);
      return;
    }
    found.sum += value;
    found.count += 1;
    for (let i = 0; i < upper.length; i++) {
      if (value <= (upper[i] as number)) {
        const key = keys[i] as string;
        buckets[key] = (buckets[key] as number) + 1;
        return;
      }
    }
  };
}

/** `inc(n)` for `counter` with `labels`, without per-call label handling. */
export function counterRecorder<T extends string>(
  counter: Counter<T>,
  labels: LabelValues<T>,
): (n: number) => void {
  const fallback = (n: number): void => {
    counter.inc(labels, n);
  };
  const storage = counter as unknown as Storage<CounterEntry>;
  let entry = findEntry(storage, labels);
  if (entry === undefined) {
    counter.inc(labels, 0);
    entry = findEntry(storage, labels);
  }
  if (entry === undefined || typeof entry.value !== 'number') return fallback;
  const found = entry;
  return (n) => {
    if (!(n >= 0) || n - n !== 0) {
      fallback(n);
      return;
    }
    found.value += n;
  };
}
