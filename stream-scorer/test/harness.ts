/**
 * An in-process stream scorer wired like main.ts (the service's model store and scorer over
 * the bundled model, the Redis transport, the consumer loop) on test streams, so tests can
 * stop it, wrap its transport to slow it down, and read its metrics.
 */
import {
  createBundledSource,
  createMetrics,
  createModelStore,
  createNoopSink,
  createScorer,
} from '@wine/prediction-service';
import type { ModelStore, PredictionSink, ServiceMetrics } from '@wine/prediction-service';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { ConsumerSettings } from '../src/config';
import { createStreamConsumer } from '../src/consumer';
import type { StreamConsumer } from '../src/consumer';
import { createStreamMetrics } from '../src/metrics';
import { createRedisTransport } from '../src/redis-transport';
import type { StreamTransport } from '../src/transport';
import { REDIS_URL } from './redis';
import type { TestStreams } from './redis';

export const TEST_SETTINGS: ConsumerSettings = {
  batchSize: 100,
  blockMs: 100,
  maxPending: 1000,
  claimIdleMs: 60_000,
  maxDeliveries: 5,
  maxRecordBytes: 16_384,
};

export function transportFor(streams: TestStreams, consumer: string): StreamTransport {
  return createRedisTransport({ url: REDIS_URL, ...streams, consumer });
}

export interface Running {
  readonly consumer: StreamConsumer;
  readonly transport: StreamTransport;
  readonly registry: Registry;
  readonly store: ModelStore;
  readonly done: Promise<void>;
  /** stop() and wait until the batch in hand is committed; closes the connections. */
  stop(): Promise<void>;
  metric(name: string, labels?: string): Promise<number>;
}

export async function startConsumer(
  streams: TestStreams,
  name: string,
  options: {
    settings?: Partial<ConsumerSettings>;
    wrap?: (t: StreamTransport) => StreamTransport;
    sink?: (metrics: ServiceMetrics) => PredictionSink;
    store?: ModelStore;
  } = {},
): Promise<Running> {
  const registry = new Registry();
  const metrics = createMetrics(registry, { defaultMetrics: false });
  const logger = pino({ level: 'silent' });
  const store =
    options.store ?? createModelStore({ source: createBundledSource(), metrics, logger });
  if (store.current() === undefined) await store.reload();
  const raw = transportFor(streams, name);
  const transport = options.wrap?.(raw) ?? raw;
  await transport.prepare();
  const streamMetrics = createStreamMetrics(registry, {
    stream: streams.input,
    group: streams.group,
  });
  streamMetrics.observeBroker(transport);
  const consumer = createStreamConsumer({
    transport,
    scorer: createScorer({ store, metrics, sink: createNoopSink() }),
    modelReady: () => store.current() !== undefined,
    sink: options.sink?.(metrics) ?? createNoopSink(),
    metrics: streamMetrics,
    logger,
    inputStream: streams.input,
    settings: { ...TEST_SETTINGS, ...options.settings },
  });
  const done = consumer.run();
  return {
    consumer,
    transport,
    registry,
    store,
    done,
    async stop() {
      consumer.stop();
      await done;
      await raw.close();
    },
    async metric(metricName, labels = '') {
      const text = await registry.metrics();
      const line = text.split('\n').find((l) => l.startsWith(`${metricName}${labels} `));
      return line === undefined ? NaN : Number(line.split(' ')[1]);
    },
  };
}
