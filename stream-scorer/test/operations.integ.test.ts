/**
 * The built scorer's operations port, after it scored valid and invalid entries: /health,
 * /ready, /status, refusals, and a /metrics text `promtool check metrics` (Debian's
 * prometheus package) finds nothing to complain about, with the stream, model and process
 * metrics all present. ≈ 3 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { EXAMPLE_WINE } from '@wine/model';
import type { Redis } from 'ioredis';
import { describeWithTool } from '../../infrastructure/src/testing/real-tool';
import {
  addEntries,
  connect,
  describeWithRedis,
  drained,
  dropStreams,
  recordEntries,
  uniqueStreams,
  wines,
} from './redis';
import type { TestStreams } from './redis';
import { SCORER_MAIN, startScorer } from './scorer-process';
import type { ScorerProcess } from './scorer-process';

describeWithRedis(
  'the scorer’s operations port',
  () => {
    let redis: Redis;
    let streams: TestStreams;
    let scorer: ScorerProcess;
    let metrics: string;

    beforeAll(async () => {
      redis = connect();
      streams = uniqueStreams('ops');
      await addEntries(redis, streams.input, [
        ...recordEntries(wines(50)),
        ['record', JSON.stringify({ ...EXAMPLE_WINE, alcohol: -3 })],
        ['record', '{'],
      ]);
      scorer = await startScorer(streams, 'ops');
      await drained(redis, streams, 15_000);
      metrics = await (await fetch(`${scorer.metricsUrl}/metrics`)).text();
    }, 30_000);
    afterAll(async () => {
      await scorer.kill('SIGTERM');
      await dropStreams(redis, streams);
      await redis.quit();
    });

    it('answers the probes and says what it does in /status', async () => {
      const get = (path: string, init?: RequestInit) => fetch(`${scorer.metricsUrl}${path}`, init);
      expect((await get('/health')).status).toBe(200);
      expect(await (await get('/ready')).json()).toEqual({ status: 'ready' });
      const status = (await (await get('/status')).json()) as Record<string, unknown>;
      expect(status).toMatchObject({
        streams: { ...streams, consumer: 'ops' },
        prepared: true,
        model: { source: 'bundled' },
        consumed: 52,
        produced: 50,
        deadLettered: 2,
        inFlight: 0,
      });
      expect((await get('/metrics', { method: 'POST' })).status).toBe(405);
      expect((await get('/nope')).status).toBe(404);
    });

    it('exposes the stream, model and process metrics', () => {
      for (const line of [
        'wine_stream_messages_produced_total 50',
        'wine_stream_messages_dead_lettered_total{code="IMPOSSIBLE_VALUE"} 1',
        'wine_stream_messages_dead_lettered_total{code="MALFORMED_JSON"} 1',
        `wine_stream_lag_messages{stream="${streams.input}",group="${streams.group}"} 0`,
        'wine_stream_message_latency_seconds_count 52',
        'wine_stream_broker_connected 1',
        'wine_predictions_total{model_version="',
        'wine_model_info{name="wine-quality"',
        'process_cpu_seconds_total',
      ]) {
        expect(metrics).toContain(line);
      }
    });

    describeWithTool(
      'promtool check metrics',
      {
        envVar: 'PROMTOOL_BIN',
        name: 'promtool',
        install: 'Debian/Ubuntu: apt-get install prometheus, as .ci/services/promtool.sh does',
      },
      (promtool) => {
        it('finds nothing to complain about', () => {
          const run = spawnSync(promtool, ['check', 'metrics'], {
            input: metrics,
            encoding: 'utf8',
          });
          expect({ status: run.status, output: `${run.stdout}${run.stderr}`.trim() }).toEqual({
            status: 0,
            output: '',
          });
        });
      },
    );
  },
  existsSync(SCORER_MAIN) ? [] : ['stream-scorer/dist/main.js missing: run `pnpm build`'],
);
