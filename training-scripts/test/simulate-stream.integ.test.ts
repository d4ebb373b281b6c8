/**
 * `simulate --to stream` (the built CLI) feeding the built stream scorer on the machine's
 * Redis: every simulated wine becomes one input entry in the contract's format, and every
 * one of them is scored. A key that is not a stream is refused before anything is sent. ≈ 5 s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FEATURE_NAMES } from '@wine/model';
import type { Redis } from 'ioredis';
import {
  REDIS_URL,
  connect,
  describeWithRedis,
  drained,
  dropStreams,
  readStream,
  uniqueStreams,
} from '../../stream-scorer/test/redis';
import type { TestStreams } from '../../stream-scorer/test/redis';
import { startScorer } from '../../stream-scorer/test/scorer-process';
import type { ScorerProcess } from '../../stream-scorer/test/scorer-process';
import { builtCli, runNode } from './cli-harness';
import { syntheticCsv } from './synthetic-wine';

const cli = builtCli('simulate');

describeWithRedis('simulate --to stream → the stream scorer', () => {
  let redis: Redis;
  let streams: TestStreams;
  let scorer: ScorerProcess | undefined;
  let work: string;
  let csv: string;

  beforeAll(async () => {
    redis = connect();
    streams = uniqueStreams('simulate');
    work = await mkdtemp(path.join(os.tmpdir(), 'simulate-stream-'));
    csv = path.join(work, 'wines.csv');
    await writeFile(csv, syntheticCsv(200, 3));
  });
  afterAll(async () => {
    await scorer?.kill('SIGTERM');
    await dropStreams(redis, streams);
    await redis.del(`${streams.input}:not-a-stream`);
    await redis.quit();
    await rm(work, { recursive: true, force: true });
  });

  (cli === undefined ? it.skip : it)('every simulated wine is one entry, and scored', async () => {
    scorer = await startScorer(streams, 'sim');
    const run = await runNode(cli as string, [
      ...['--to', 'stream', '--redis-url', REDIS_URL, '--stream', streams.input],
      ...['--csv', csv, '--requests', '500', '--rate', '5000', '--json'],
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as {
      requests: unknown;
      target: string;
    };
    expect(summary.requests).toEqual({ sent: 500, ok: 500, failed: 0, errors: {} });
    expect(summary.target).toContain(streams.input);

    const inputs = await readStream(redis, streams.input);
    expect(inputs).toHaveLength(500);
    for (const entry of inputs.slice(0, 20)) {
      expect(Object.keys(entry.fields)).toEqual(['record']);
      expect(Object.keys(JSON.parse(entry.fields['record']!) as object)).toEqual([
        ...FEATURE_NAMES,
        'wine_type',
      ]);
    }
    await drained(redis, streams, 20_000);
    expect(await redis.xlen(streams.output)).toBe(500);
    expect(await redis.xlen(streams.deadLetter)).toBe(0);
  });

  (cli === undefined ? it.skip : it)(
    'refuses a key that is not a stream, sending nothing',
    async () => {
      const key = `${streams.input}:not-a-stream`;
      await redis.set(key, 'x');
      const run = await runNode(cli as string, [
        ...['--to', 'stream', '--redis-url', REDIS_URL, '--stream', key, '--csv', csv],
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/holds a string, not a stream: pass another --stream/);
    },
  );
});
