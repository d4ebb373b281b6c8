/**
 * Real Redis for the stream tests: the machine's server (never flushed), streams and groups
 * under a unique name per test, deleted afterwards; wines to put on them; readers for what
 * the scorer wrote.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { WineRecord } from '@wine/model';
import { describeWithServices } from '../../packages/mlflow-client/test/real-services';
import { stripTarget, syntheticWines } from '../../prediction-service/test/fixtures';

export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Why Redis cannot be used here (empty when it answers PING). */
export function missingRedis(): string[] {
  try {
    const url = new URL(REDIS_URL);
    const out = execFileSync('redis-cli', ['-h', url.hostname, '-p', url.port || '6379', 'ping'], {
      timeout: 5000,
      encoding: 'utf8',
    });
    return out.includes('PONG') ? [] : [`Redis at ${REDIS_URL} did not answer PING`];
  } catch {
    return [`Redis not reachable at ${REDIS_URL} (redis-cli)`];
  }
}

export function describeWithRedis(
  title: string,
  body: () => void,
  extraMissing: string[] = [],
): void {
  describeWithServices(
    title,
    [...missingRedis(), ...extraMissing],
    body,
    'start redis-server (and what else is named), or set TEST_REDIS_URL',
  );
}

export interface TestStreams {
  readonly input: string;
  readonly output: string;
  readonly deadLetter: string;
  readonly group: string;
}

export function uniqueStreams(name: string): TestStreams {
  const prefix = `wine-test-${name}-${randomBytes(4).toString('hex')}`;
  return {
    input: `${prefix}:measurements`,
    output: `${prefix}:predictions`,
    deadLetter: `${prefix}:dead-letter`,
    group: `${prefix}-scorers`,
  };
}

export function connect(): Redis {
  return new Redis(REDIS_URL, { protocol: 2, maxRetriesPerRequest: 3 });
}

export async function dropStreams(redis: Redis, streams: TestStreams): Promise<void> {
  await redis.del(streams.input, streams.output, streams.deadLetter);
}

export function wines(n: number, seed = 1): WineRecord[] {
  return syntheticWines(n, seed).map(stripTarget);
}

/** XADDs entries (field/value pairs) in pipelined chunks; returns their ids in order. */
export async function addEntries(
  redis: Redis,
  stream: string,
  entries: ReadonlyArray<readonly string[]>,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < entries.length; i += 5000) {
    const pipeline = redis.pipeline();
    for (const fields of entries.slice(i, i + 5000)) pipeline.xadd(stream, '*', ...fields);
    for (const [error, id] of (await pipeline.exec()) ?? []) {
      if (error !== null) throw error;
      ids.push(String(id));
    }
  }
  return ids;
}

export const recordEntries = (records: readonly unknown[]): string[][] =>
  records.map((r) => ['record', typeof r === 'string' ? r : JSON.stringify(r)]);

export interface StreamEntry {
  readonly id: string;
  readonly fields: Record<string, string>;
}

export async function readStream(redis: Redis, stream: string): Promise<StreamEntry[]> {
  const out: StreamEntry[] = [];
  let start = '-';
  for (;;) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', 10_000);
    for (const [id, flat] of page) {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2)
        fields[flat[i] as string] = flat[i + 1] as string;
      out.push({ id, fields });
    }
    const last = page[page.length - 1];
    if (page.length < 10_000 || last === undefined) return out;
    start = `(${last[0]}`;
  }
}

/** The group's pending count and undelivered entries (XINFO GROUPS). */
export async function groupState(
  redis: Redis,
  streams: TestStreams,
): Promise<{ pending: number; lag: number | null; consumers: number }> {
  const groups = (await redis.call('XINFO', 'GROUPS', streams.input)) as unknown[][];
  for (const flat of groups) {
    const info: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
    if (info['name'] === streams.group) {
      return {
        pending: Number(info['pending']),
        lag: info['lag'] === null ? null : Number(info['lag']),
        consumers: Number(info['consumers']),
      };
    }
  }
  throw new Error(`no group ${streams.group} on ${streams.input}`);
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the group has acknowledged every entry of the input (nothing pending or undelivered). */
export async function drained(
  redis: Redis,
  streams: TestStreams,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    'every entry acknowledged',
    async () => {
      const state = await groupState(redis, streams);
      return state.pending === 0 && state.lag === 0;
    },
    timeoutMs,
    100,
  );
}
