/**
 * Redis crashing under the scorer: a private redis-server (ephemeral port, AOF with fsync
 * always, as production should run it — never the machine's shared Redis) is killed with
 * SIGKILL while the built scorer works through a backlog, stays down a few seconds and comes
 * back on the same data. The scorer reports the outage (metric and log lines), reconnects by
 * itself, finishes entries whose replies were lost, and every input id still ends in the
 * output or the dead-letter stream exactly once. ≈ 15 s.
 */
import { existsSync } from 'node:fs';
import { EXAMPLE_WINE } from '@wine/model';
import { Redis } from 'ioredis';
import { findTool } from '../../infrastructure/src/testing/real-tool';
import { startPrivateRedis } from '../../pipeline/test/processes';
import type { PrivateRedis } from '../../pipeline/test/processes';
import {
  addEntries,
  describeWithRedis,
  drained,
  readStream,
  recordEntries,
  uniqueStreams,
  waitFor,
  wines,
} from './redis';
import { SCORER_MAIN, startScorer } from './scorer-process';
import type { ScorerProcess } from './scorer-process';

describeWithRedis(
  'Redis killed under the scorer',
  () => {
    let server: PrivateRedis;
    let redis: Redis;
    let scorer: ScorerProcess | undefined;

    beforeAll(async () => {
      server = await startPrivateRedis();
      redis = new Redis(server.url, { protocol: 2, maxRetriesPerRequest: null });
      redis.on('error', () => undefined);
    }, 30_000);
    afterAll(async () => {
      await scorer?.kill('SIGKILL');
      redis.disconnect();
      await server.stop();
    });

    it('reconnects, loses nothing and writes nothing twice', async () => {
      const streams = uniqueStreams('crash');
      const entries = [
        ...recordEntries(wines(20_000, 5)),
        ['record', JSON.stringify({ ...EXAMPLE_WINE, ph: 15 })],
      ];
      const before = await addEntries(redis, streams.input, entries.slice(0, 12_000));
      scorer = await startScorer(streams, 'crashy', {
        REDIS_URL: server.url,
        STREAM_CLAIM_IDLE_MS: '1000',
        STREAM_BATCH_SIZE: '200',
      });
      await waitFor(
        'a third scored',
        async () => (await redis.xlen(streams.output)) >= 4000,
        30_000,
      );
      await server.kill();
      await waitFor(
        'the scorer to report Redis down',
        async () => (await scorer?.metric('wine_stream_broker_connected')) === 0,
        10_000,
        100,
      );
      // /metrics keeps answering without Redis (the backlog probe gives up after 2 s).
      expect(await scorer.metric('wine_stream_messages_produced_total')).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 2000));
      await server.start();
      const after = await addEntries(redis, streams.input, entries.slice(12_000));
      await drained(redis, streams, 60_000);

      const ids = [...before, ...after];
      const outputs = await readStream(redis, streams.output);
      const dead = await readStream(redis, streams.deadLetter);
      const seen = [...outputs, ...dead].map((e) => e.fields['input_id'] as string);
      expect(seen).toHaveLength(ids.length);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(dead.map((d) => d.fields['code'])).toEqual(['IMPOSSIBLE_VALUE']);
      expect(await scorer.metric('wine_stream_broker_connected')).toBe(1);
      const logs = scorer.logs.join('');
      expect(logs).toMatch(/Redis connection lost; reconnecting/);
      expect(logs).toMatch(/Redis connection back/);
      expect((await scorer.kill('SIGTERM')).code).toBe(0);
    }, 120_000);
  },
  [
    ...(existsSync(SCORER_MAIN) ? [] : ['stream-scorer/dist/main.js missing: run `pnpm build`']),
    ...(findTool('REDIS_SERVER_BIN', 'redis-server') === undefined
      ? ['redis-server not on PATH (.ci/services/redis.sh installs it)']
      : []),
  ],
);
