/**
 * The stream benchmark's moving parts: consumer processes (the built stream scorer, or the
 * bare ceiling loop), a producer (pre-fill, or open loop at a fixed rate), and what the
 * output stream says about throughput and latency. Times come from Redis stream ids (the
 * server's clock, ms): an input id is when the entry arrived, an output id when its result
 * was written.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SCORER_MAIN = path.join(ROOT, 'stream-scorer', 'dist', 'main.js');
export const BUNDLED_MODEL = path.join(ROOT, 'prediction-service', 'model');
export const BATCH = 500;

export interface Streams {
  readonly input: string;
  readonly output: string;
  readonly deadLetter: string;
  readonly group: string;
}

export function benchStreams(name: string): Streams {
  const prefix = `wine-bench-${name}-${randomBytes(3).toString('hex')}`;
  return {
    input: `${prefix}:in`,
    output: `${prefix}:out`,
    deadLetter: `${prefix}:dead`,
    group: `${prefix}-g`,
  };
}

export interface Consumer {
  stop(): Promise<void>;
}

function launch(args: string[], env: Record<string, string>, readyLine: RegExp): Promise<Consumer> {
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`consumer not ready in 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
      if (readyLine.test(output)) {
        clearTimeout(timer);
        resolve({ stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`consumer exited early:\n${output}`));
    });
  });
}

/** The stream scorer as users run it: defaults, except the streams and the metrics port. */
export function startScorer(redisUrl: string, s: Streams, name: string): Promise<Consumer> {
  return launch(
    [SCORER_MAIN],
    {
      REDIS_URL: redisUrl,
      STREAM_INPUT: s.input,
      STREAM_OUTPUT: s.output,
      STREAM_DEAD_LETTER: s.deadLetter,
      STREAM_GROUP: s.group,
      STREAM_CONSUMER: name,
      STREAM_BATCH_SIZE: String(BATCH),
      STREAM_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    },
    /"msg":"stream scorer running"/,
  );
}

export function startCeiling(redisUrl: string, s: Streams, name: string): Promise<Consumer> {
  return launch(
    [
      path.join(__dirname, 'ceiling-consumer.js'),
      ...[redisUrl, s.input, s.output, s.group, name, BUNDLED_MODEL, String(BATCH)],
    ],
    {},
    /ceiling consumer running/,
  );
}

/** XADDs `n` entries (cycling over `records`) in pipelined chunks, as fast as Redis takes them. */
export async function prefill(redis: Redis, stream: string, records: readonly string[], n: number) {
  for (let i = 0; i < n; i += 5000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(n, i + 5000); j++) {
      pipeline.xadd(stream, '*', 'record', records[j % records.length] as string);
    }
    await pipeline.exec();
  }
}

export interface Produced {
  readonly sent: number;
  readonly achievedPerSecond: number;
  /** Most the producer fell behind its schedule (ms): large values void the latency numbers. */
  readonly maxBehindMs: number;
}

/** Open loop: entry i is due at start + i / rate; every millisecond the due ones go in one pipeline. */
export async function produceAtRate(
  redis: Redis,
  stream: string,
  records: readonly string[],
  rate: number,
  seconds: number,
): Promise<Produced> {
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let sent = 0;
  let maxBehindMs = 0;
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) / 1000) * rate));
    if (due > sent) {
      maxBehindMs = Math.max(maxBehindMs, now - (start + (sent / rate) * 1000));
      const pipeline = redis.pipeline();
      for (; sent < due; sent++) {
        pipeline.xadd(stream, '*', 'record', records[sent % records.length] as string);
      }
      await pipeline.exec();
    } else {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  const elapsed = (performance.now() - start) / 1000;
  return {
    sent,
    achievedPerSecond: Math.round(sent / elapsed),
    maxBehindMs: Math.round(maxBehindMs),
  };
}

export async function waitForLength(redis: Redis, stream: string, n: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while ((await redis.xlen(stream)) < n) {
    if (Date.now() > deadline)
      throw new Error(`${stream}: fewer than ${n} entries after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const idMs = (id: string): number => Number(id.slice(0, id.indexOf('-')));

export interface OutputTimes {
  /** Output id times (ms), in stream order. */
  readonly written: number[];
  /** Output time − input time per entry (ms), in stream order. */
  readonly latencies: number[];
}

export async function outputTimes(redis: Redis, stream: string): Promise<OutputTimes> {
  const written: number[] = [];
  const latencies: number[] = [];
  let start = '-';
  for (;;) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', 10_000);
    for (const [id, fields] of page) {
      const inputId = fields[1] as string;
      written.push(idMs(id));
      latencies.push(idMs(id) - idMs(inputId));
    }
    const last = page[page.length - 1];
    if (page.length < 10_000 || last === undefined) return { written, latencies };
    start = `(${last[0]}`;
  }
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
