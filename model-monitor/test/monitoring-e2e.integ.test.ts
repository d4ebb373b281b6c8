/**
 * Monitoring end to end, real components only: a fresh PostgreSQL database, the built
 * prediction service and model monitor as processes, Prometheus and Alertmanager from the
 * distribution's packages with this repository's rule files (`for:` shortened to 1 s,
 * scrapes and evaluations every second). Traffic is the bundled model's own training rows
 * (its reference sample) in a seeded random order:
 *
 * 1. unshifted → no drift alert;
 * 2. alcohol +1.5 and sulphates ×1.3 → exactly those features drift, DatasetDrift fires in
 *    Alertmanager (MONITOR_DRIFT_SHARE=0.2: two features + the prediction are 3/13 columns);
 * 3. feedback → live RMSE appears, wrong feedback moves it up and LiveRmseHigh fires;
 * 4. rows in the prediction log == predictions answered;
 * 5. every Grafana panel query (macros substituted) returns data from this Prometheus (the
 *    built stream scorer runs too, on its own Redis stream, for the stream dashboard).
 *
 * PostgreSQL stopped mid-load and SIGTERM flushing are the service's
 * test/prediction-log-process.integ.test.ts. About 60 s.
 */
import { countLoggedRows, createPool, runMigrations } from '@wine/db';
import type { Pool } from '@wine/db';
import { buildDashboards, panelQueries, substituteMacros } from '@wine/grafana';
import { FEATURE_NAMES, createRng, readModelReference, shuffleInPlace } from '@wine/model';
import type { WineColumns, WineRecord } from '@wine/model';
import { BUNDLED_MODEL_DIR } from '@wine/prediction-service';
import { createTempDatabase, describeWithPostgres } from '../../packages/db/test/postgres';
import type { TempDatabase } from '../../packages/db/test/postgres';
import {
  promQuery,
  startAlertmanager,
  startPrometheus,
} from '../../prometheus/test/real-prometheus';
import type { RunningTool } from '../../prometheus/test/real-prometheus';
import { describeWithTools, missingTools } from '../../prometheus/test/tools';
import { startService, waitUntil } from '../../prediction-service/test/service-process';
import {
  addEntries,
  connect as connectRedis,
  dropStreams,
  missingRedis,
  recordEntries,
  uniqueStreams,
} from '../../stream-scorer/test/redis';
import { startScorer } from '../../stream-scorer/test/scorer-process';
import { startMonitor, type MonitorProcess } from './monitor-process';
import type { ServiceProcess } from '../../prediction-service/test/service-process';

const TOKEN = 'e2e-feedback-token';
const WINDOW = 1000;

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
}

async function amAlerts(am: RunningTool, alertname: string): Promise<AmAlert[]> {
  const res = await fetch(
    `${am.url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`,
  );
  return ((await res.json()) as AmAlert[]).filter((a) => a.status.state === 'active');
}

const missing = [...missingTools(['prometheus', 'alertmanager']), ...missingRedis()];

describeWithPostgres('monitoring end to end', () => {
  describeWithTools('with Prometheus and Alertmanager', missing, () => {
    let db: TempDatabase;
    let pool: Pool;
    let service: ServiceProcess;
    let monitor: MonitorProcess;
    let am: RunningTool;
    let prom: RunningTool;
    let sample: WineColumns;
    let order: number[];
    const streams = uniqueStreams('e2e');
    let redis: ReturnType<typeof connectRedis>;
    let next = 0;
    let answered = 0;
    const labelled: { id: string; quality: number; prediction: number }[] = [];
    /** Whatever beforeAll got to start, stopped in reverse order even if a later start failed. */
    const cleanups: (() => Promise<void>)[] = [];

    const record = (i: number, shift: boolean): WineRecord => {
      const r: Record<string, number | string> = { wine_type: sample.wineType[i] ?? 'red' };
      for (const name of FEATURE_NAMES) r[name] = sample.features[name][i] ?? 0;
      if (shift) {
        r['alcohol'] = (r['alcohol'] as number) + 1.5;
        r['sulphates'] = (r['sulphates'] as number) * 1.3;
      }
      return r as WineRecord;
    };

    /** `n` single predictions (8 at a time), remembering truth for some of them. */
    async function traffic(n: number, shift: boolean): Promise<void> {
      const send = async (): Promise<void> => {
        while (n > 0) {
          n--;
          const i = order[next++ % order.length] ?? 0;
          const res = await fetch(`${service.url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(record(i, shift)),
          });
          const body = (await res.json()) as { request_id: string; quality: number };
          if (res.status !== 200) throw new Error(`predict answered ${res.status}`);
          answered++;
          if (labelled.length < 120)
            labelled.push({
              id: body.request_id,
              quality: sample.quality?.[i] ?? 5,
              prediction: body.quality,
            });
        }
      };
      await Promise.all(Array.from({ length: 8 }, send));
    }

    beforeAll(async () => {
      const reference = await readModelReference(BUNDLED_MODEL_DIR);
      if (reference.kind !== 'sample') throw new Error('the bundled model has no reference sample');
      sample = reference.sample;
      order = Array.from({ length: sample.rows }, (_, i) => i);
      shuffleInPlace(order, createRng(11));
      db = await createTempDatabase('e2e');
      cleanups.push(() => db.drop());
      await runMigrations({ databaseUrl: db.url, direction: 'up' });
      pool = createPool({ connectionString: db.url, applicationName: 'e2e', max: 2 });
      cleanups.push(() => pool.end());
      service = await startService({
        DATABASE_URL: db.url,
        FEEDBACK_TOKEN: TOKEN,
        PREDICTION_LOG_FLUSH_MS: '100',
      });
      cleanups.push(() => service.stop());
      monitor = await startMonitor({
        DATABASE_URL: db.url,
        MONITOR_INTERVAL_S: '1',
        MONITOR_WINDOW_ROWS: String(WINDOW),
        MONITOR_DRIFT_SHARE: '0.2',
        MONITOR_RMSE_THRESHOLD: '1.5',
        LOG_LEVEL: 'info',
      });
      cleanups.push(() => monitor.stop());
      // No DATABASE_URL: the log must hold exactly the API's answers (test 4).
      redis = connectRedis();
      cleanups.push(async () => {
        await dropStreams(redis, streams);
        await redis.quit();
      });
      const scorer = await startScorer(streams, 'e2e');
      cleanups.push(async () => {
        await scorer.kill('SIGTERM');
      });
      am = await startAlertmanager(
        'route:\n  receiver: test\n  group_by: [alertname, model_version]\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: test\n',
      );
      cleanups.push(() => am.stop());
      prom = await startPrometheus({
        targets: {
          'prediction-service': [`127.0.0.1:${service.managementPort}`],
          'model-monitor': [`127.0.0.1:${monitor.port}`],
          'stream-scorer': [new URL(scorer.metricsUrl).host],
        },
        alertmanager: am.url,
        forDuration: '1s',
      });
      cleanups.push(() => prom.stop());
    }, 90_000);

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }, 30_000);

    it('unshifted traffic: a full window and no drift alert', async () => {
      await traffic(WINDOW + 50, false);
      await waitUntil(
        'the monitor scraped with a full window',
        async () => (await promQuery(prom.url, 'wine_drift_enough_data == 1')).length === 1,
        20_000,
      );
      // A few evaluations with `for: 1s`: anything that would fire has fired by now.
      await new Promise((r) => setTimeout(r, 4000));
      expect(await promQuery(prom.url, 'wine_drift_feature_drifted == 1')).toEqual([]);
      expect(
        await promQuery(prom.url, 'ALERTS{alertname=~"FeatureDrift|DatasetDrift|PredictionDrift"}'),
      ).toEqual([]);
      expect(await amAlerts(am, 'DatasetDrift')).toEqual([]);
    }, 60_000);

    it('alcohol and sulphates shifted: exactly those drift, DatasetDrift fires in Alertmanager', async () => {
      await traffic(WINDOW + 50, true);
      await waitUntil(
        'DatasetDrift active in Alertmanager',
        async () => (await amAlerts(am, 'DatasetDrift')).length === 1,
        30_000,
        250,
      );
      const drifted = (await promQuery(prom.url, 'wine_drift_feature_drifted == 1'))
        .map((s) => s.metric['feature'])
        .sort();
      expect(drifted).toEqual(['alcohol', 'sulphates']);
      await waitUntil(
        'FeatureDrift for both features',
        async () => (await amAlerts(am, 'FeatureDrift')).length === 2,
        15_000,
        250,
      );
      const features = (await amAlerts(am, 'FeatureDrift')).map((a) => a.labels['feature']).sort();
      expect(features).toEqual(['alcohol', 'sulphates']);
      const [dataset] = await amAlerts(am, 'DatasetDrift');
      expect(dataset?.labels).toMatchObject({
        action: 'retrain',
        model_name: 'wine-quality',
        model_version: expect.stringMatching(/^sha256:/),
      });
    }, 60_000);

    it('feedback moves live RMSE; wrong labels make LiveRmseHigh fire', async () => {
      const send = async (items: { request_id: string; quality: number }[]): Promise<void> => {
        const res = await fetch(`${service.url}/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ feedback: items }),
        });
        expect(res.status).toBe(200);
      };
      await send(labelled.map((l) => ({ request_id: l.id, quality: l.quality })));
      const expected = Math.sqrt(
        labelled.reduce((s, l) => s + (l.prediction - l.quality) ** 2, 0) / labelled.length,
      );
      await waitUntil(
        'live RMSE scraped',
        async () => (await promQuery(prom.url, 'wine_live_rmse')).length === 1,
        15_000,
      );
      const [first] = await promQuery(prom.url, 'wine_live_rmse');
      expect(Number(first?.value[1])).toBeCloseTo(expected, 6);

      await send(
        labelled.map((l) => ({
          request_id: l.id,
          quality: Math.min(10, Math.round(l.prediction) + 3),
        })),
      );
      await waitUntil(
        'LiveRmseHigh active',
        async () => (await amAlerts(am, 'LiveRmseHigh')).length === 1,
        20_000,
        250,
      );
      const [later] = await promQuery(prom.url, 'wine_live_rmse');
      expect(Number(later?.value[1])).toBeGreaterThan(expected + 1.5);
      const coverage = await promQuery(prom.url, 'wine_feedback_coverage_ratio');
      expect(Number(coverage[0]?.value[1])).toBeCloseTo(labelled.length / answered, 6);
    }, 60_000);

    it('every answered prediction is in the prediction log', async () => {
      await waitUntil(
        'queue drained',
        async () =>
          (
            await promQuery(
              prom.url,
              'wine_prediction_log_queue_rows{job="prediction-service"} == 0',
            )
          ).length === 1,
        10_000,
      );
      await waitUntil(
        'all rows written',
        async () => (await countLoggedRows(pool)) === answered,
        10_000,
      );
      expect(await countLoggedRows(pool)).toBe(answered);
    }, 30_000);

    it('every Grafana panel query returns data from this Prometheus', async () => {
      // Stream entries, two of them invalid, for the stream dashboard.
      await addEntries(redis, streams.input, [
        ...recordEntries(order.slice(0, 200).map((i) => record(i, false))),
        ['record', '{'],
        ['wine', '{}'],
      ]);
      // Some 4xx and /invocations traffic, so the error and per-route panels have series.
      for (let i = 0; i < 5; i++) {
        await fetch(`${service.url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"ph": -1}',
        });
        await fetch(`${service.url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ dataframe_records: [record(order[i] ?? 0, false)] }),
        });
      }
      await new Promise((r) => setTimeout(r, 3000));
      const empty: string[] = [];
      for (const d of buildDashboards()) {
        for (const q of panelQueries(d)) {
          const expr = substituteMacros(q.expr, '20s');
          if ((await promQuery(prom.url, expr)).length === 0)
            empty.push(`${q.dashboard} / ${q.panel} / ${q.refId}: ${expr}`);
        }
        for (const v of (d.templating.list ?? []) as { name: string; query?: string }[]) {
          const metric = /^label_values\((.*), (\w+)\)$/.exec(v.query ?? '');
          const values = await promQuery(
            prom.url,
            `count by (${metric?.[2] ?? v.name}) (${metric?.[1] ?? 'up'})`,
          );
          if (values.length === 0) empty.push(`${d.uid ?? ''} variable ${v.name}`);
        }
      }
      expect(empty).toEqual([]);
    }, 60_000);
  });
});
