/**
 * `pnpm run bench stream`: the stream scorer (built, defaults, bundled model) on the
 * machine's Redis, with one and two consumer processes, next to a plain consumer-group loop
 * doing the same reads, parsing, scoring and writes: a baseline, not a ceiling — it reads,
 * scores and writes in turn, where the scorer reads ahead while it scores and commits a
 * batch in one Lua call, so the scorer outruns it. Throughput: N entries are
 * pre-filled, the consumers started, and the rate is taken between the first and the last
 * output written. Latency: an open-loop producer at half the measured rate for
 * BENCH_SECONDS; end-to-end latency = output written − input arrived, both from Redis ids.
 *
 * BENCH_STREAM_MESSAGES (default 200,000) and BENCH_SECONDS (default 10) make smoke runs
 * small; BENCH_REDIS_URL picks the Redis (default redis://127.0.0.1:6379). Streams are named
 * wine-bench-* and deleted afterwards; nothing else in Redis is touched.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadWineDataDir } from '@wine/model';
import { Redis } from 'ioredis';
import { goal, rateRow, valueRow } from './headline';
import type { Benchmark } from './registry';
import {
  BATCH,
  BUNDLED_MODEL,
  SCORER_MAIN,
  benchStreams,
  outputTimes,
  percentile,
  prefill,
  produceAtRate,
  startCeiling,
  startScorer,
  waitForLength,
} from './stream/consumers';
import type { Consumer, Streams } from './stream/consumers';

const MESSAGES = Number(process.env['BENCH_STREAM_MESSAGES'] ?? 200_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TARGET_MESSAGES_PER_SECOND = 100_000;

type Start = (url: string, s: Streams, name: string) => Promise<Consumer>;

interface Throughput {
  readonly consumers: number;
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
}

interface Latency {
  readonly consumers: number;
  readonly targetRate: number;
  readonly producedPerSecond: number;
  readonly producerMaxBehindMs: number;
  readonly messages: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

async function withConsumers<T>(
  redis: Redis,
  start: Start,
  count: number,
  name: string,
  run: (s: Streams) => Promise<T>,
  before?: (s: Streams) => Promise<void>,
): Promise<T> {
  const s = benchStreams(name);
  const consumers: Consumer[] = [];
  try {
    await before?.(s);
    consumers.push(
      ...(await Promise.all(
        Array.from({ length: count }, (_, i) => start(REDIS_URL, s, `${name}-${i}`)),
      )),
    );
    return await run(s);
  } finally {
    await Promise.all(consumers.map((c) => c.stop()));
    await redis.del(s.input, s.output, s.deadLetter);
  }
}

async function throughput(
  redis: Redis,
  records: readonly string[],
  start: Start,
  count: number,
  name: string,
): Promise<Throughput> {
  return withConsumers(
    redis,
    start,
    count,
    name,
    async (s) => {
      await waitForLength(redis, s.output, MESSAGES, 600_000);
      // Between the 5th and the 95th percentile of outputs: consumers starting one after
      // the other and the last straggling batch do not count.
      const { written } = await outputTimes(redis, s.output);
      const from = Math.floor(written.length * 0.05);
      const to = Math.max(from + 1, Math.floor(written.length * 0.95));
      const seconds = Math.max(0.001, ((written[to] ?? 0) - (written[from] ?? 0)) / 1000);
      const result = {
        consumers: count,
        messages: MESSAGES,
        seconds: Math.round(seconds * 1000) / 1000,
        messagesPerSecond: Math.round((to - from) / seconds),
      };
      console.log(`    ${name} × ${count}: ${result.messagesPerSecond} messages/s`);
      return result;
    },
    (s) => prefill(redis, s.input, records, MESSAGES),
  );
}

async function latency(
  redis: Redis,
  records: readonly string[],
  count: number,
  rate: number,
): Promise<Latency> {
  return withConsumers(redis, startScorer, count, 'latency', async (s) => {
    const produced = await produceAtRate(redis, s.input, records, rate, SECONDS);
    await waitForLength(redis, s.output, produced.sent, 120_000);
    const { latencies } = await outputTimes(redis, s.output);
    // The first second warms up the JIT and the connections.
    const measured = latencies.slice(Math.min(latencies.length - 1, Math.round(rate)));
    const sorted = Float64Array.from(measured).sort();
    const result = {
      consumers: count,
      targetRate: Math.round(rate),
      producedPerSecond: produced.achievedPerSecond,
      producerMaxBehindMs: produced.maxBehindMs,
      messages: measured.length,
      p50Ms: percentile(Array.from(sorted), 0.5),
      p99Ms: percentile(Array.from(sorted), 0.99),
      maxMs: sorted[sorted.length - 1] ?? NaN,
    };
    console.log(
      `    × ${count} at ${result.targetRate}/s: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`,
    );
    return result;
  });
}

export const streamBenchmark: Benchmark = {
  name: 'stream',
  description: `stream scorer on Redis Streams, 1 and 2 consumer processes, vs a bare consumer loop (${MESSAGES} messages; latency at half the max rate for ${SECONDS}s)`,
  async run() {
    const root = path.resolve(__dirname, '..', '..');
    const dataDir = process.env['WINE_DATA_DIR'] ?? path.resolve(root, '..', 'shared', 'data');
    const missing = [
      [SCORER_MAIN, 'built stream scorer (pnpm build)'],
      [path.join(BUNDLED_MODEL, 'model.json'), 'the bundled model'],
      [path.join(dataDir, 'winequality-red.csv'), 'UCI data (WINE_DATA_DIR)'],
    ].filter(([file]) => file === undefined || !existsSync(file));
    if (missing.length > 0) {
      throw new Error(
        `stream benchmark cannot run; missing: ${missing.map(([, w]) => w).join(', ')}`,
      );
    }
    const redis = new Redis(REDIS_URL, { protocol: 2, maxRetriesPerRequest: 3 });
    try {
      const info = await redis.info('server');
      const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
      const { records } = await loadWineDataDir(dataDir);
      const bodies = records.map(({ quality: _q, ...wine }) => JSON.stringify(wine));

      console.log('  throughput (pre-filled stream, consumers started after)');
      const one = await throughput(redis, bodies, startScorer, 1, 'scorer');
      const two = await throughput(redis, bodies, startScorer, 2, 'scorer');
      const ceilingOne = await throughput(redis, bodies, startCeiling, 1, 'ceiling');
      const ceilingTwo = await throughput(redis, bodies, startCeiling, 2, 'ceiling');
      const ours = [one, two];
      console.log('  end-to-end latency at half the max rate (open-loop producer)');
      const latencies = [];
      for (const t of ours)
        latencies.push(await latency(redis, bodies, t.consumers, t.messagesPerSecond / 2));

      const best = Math.max(...ours.map((t) => t.messagesPerSecond));
      const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
      const ceilingName = 'plain consumer-group loop (read → score → write in turn)';
      const plural = (n: number): string => `${n} consumer process${n === 1 ? '' : 'es'}`;
      const headline = [
        valueRow({
          id: 'stream.best',
          label: `stream scorer throughput, best of 1 and 2 consumers (${MESSAGES.toLocaleString('en-US')} pre-filled messages)`,
          ours: best,
          unit: 'msg/s',
          goal: goal('>=', TARGET_MESSAGES_PER_SECOND, '≥ 100,000 msg/s (issue 15)'),
        }),
        ...[
          [one, ceilingOne],
          [two, ceilingTwo],
        ].map(([t, c]) =>
          rateRow({
            id: `stream.consumers-${t?.consumers ?? 0}`,
            label: `stream scorer vs a plain loop doing the same reads, parsing, scoring and writes`,
            ours: t?.messagesPerSecond ?? Number.NaN,
            unit: 'msg/s',
            peer: { name: ceilingName, value: c?.messagesPerSecond ?? Number.NaN },
            threads: `${plural(t?.consumers ?? 0)} each`,
          }),
        ),
        ...latencies.map((l) =>
          valueRow({
            id: `stream.p99-${l.consumers}`,
            label: `end-to-end p99 latency at half the max rate (${l.targetRate.toLocaleString('en-US')} msg/s offered)`,
            ours: l.p99Ms,
            unit: 'ms',
            threads: plural(l.consumers),
          }),
        ),
      ];
      return {
        headline,
        loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
        machine: {
          cpus: os.availableParallelism(),
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          node: process.version,
          redis: redisVersion,
        },
        setup: {
          messages: MESSAGES,
          batchSize: BATCH,
          model: 'the bundled model (prediction-service/model), same for both sides',
          records: 'the UCI wines as input entries (field record = JSON of one wine)',
          scorer:
            'built stream-scorer with its defaults (validation, ownership-checked Lua commit, metrics, read-ahead)',
          ceiling:
            'plain loop (a baseline, not a ceiling): XREADGROUP, JSON.parse, predict, pipelined XADD + XACK, one batch at a time; no validation, no ownership check, no metrics, no read-ahead',
          throughput:
            'pre-filled input; outputs between the 5th and 95th percentile / their time span, from Redis ids',
          latency: `open-loop producer at half each max rate for ${SECONDS}s (first second dropped); output id time − input id time (ms resolution)`,
        },
        results: { scorer: ours, ceiling: [ceilingOne, ceilingTwo], latency: latencies },
        ratios: {
          scorerVsCeiling1: ratio(one.messagesPerSecond, ceilingOne.messagesPerSecond),
          scorerVsCeiling2: ratio(two.messagesPerSecond, ceilingTwo.messagesPerSecond),
          twoVsOneConsumer: ratio(two.messagesPerSecond, one.messagesPerSecond),
        },
        targets: {
          messagesPerSecond: {
            target: TARGET_MESSAGES_PER_SECOND,
            measured: best,
            met: best >= TARGET_MESSAGES_PER_SECOND,
          },
        },
      };
    } finally {
      redis.disconnect();
    }
  },
};
