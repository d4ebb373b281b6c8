/**
 * The monitor against a real PostgreSQL (fresh database) and the service's bundled model
 * (its exact reference sample): a window drawn from the training rows does not drift; the
 * same rows with alcohol +1.5 and sulphates ×1.3 drift in exactly those two features (and
 * the prediction); feedback moves live RMSE; PostgreSQL down and an unknown model version
 * degrade as documented. About 5 s.
 */
import {
  FEATURE_NAMES,
  createRng,
  readModelDir,
  readModelReference,
  shuffleInPlace,
} from '@wine/model';
import type { WineColumns, WineRecord } from '@wine/model';
import { createPool, createPredictionLogWriter, recordFeedback, runMigrations } from '@wine/db';
import type { Pool } from '@wine/db';
import { BUNDLED_MODEL_DIR } from '@wine/prediction-service';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createTempDatabase, describeWithPostgres } from '../../packages/db/test/postgres';
import type { TempDatabase } from '../../packages/db/test/postgres';
import { metricValue } from '../../prediction-service/test/service-process';
import {
  createMonitor,
  createMonitorMetrics,
  createReferenceResolver,
  publishRun,
  runMonitor,
  serveMonitor,
} from '../src/index';
import type { RunResult, RunSettings } from '../src/index';

const SETTINGS: RunSettings = {
  windowRows: 1000,
  windowMinutes: undefined,
  drift: { minRows: 200, driftShare: 0.2 },
  errorWindowRows: 1000,
  errorWindowMinutes: 60,
};

/** The sample is stored red first, then white: windows take rows in a seeded random order. */
let order: number[] = [];

function recordsOf(columns: WineColumns, from: number, to: number): WineRecord[] {
  const out: WineRecord[] = [];
  for (let k = from; k < to; k++) {
    const i = order[k] ?? 0;
    const r: Record<string, number | string> = { wine_type: columns.wineType[i] ?? 'red' };
    for (const name of FEATURE_NAMES) r[name] = columns.features[name][i] ?? 0;
    out.push(r as WineRecord);
  }
  return out;
}

function testMonitor(
  db: Pick<Pool, 'query'>,
  resolver: ReturnType<typeof createReferenceResolver>,
) {
  const registry = new Registry();
  const metrics = createMonitorMetrics(registry, { defaultMetrics: false });
  const monitor = createMonitor({
    db,
    resolver,
    metrics,
    logger: pino({ level: 'silent' }),
    settings: SETTINGS,
    intervalS: 60,
    rmseThreshold: 0.9,
    mlflowConfigured: false,
  });
  return { registry, monitor };
}

describeWithPostgres('model monitor on a real prediction log', () => {
  let db: TempDatabase;
  let pool: Pool;
  let version: string;
  let sample: WineColumns;
  let predict: (records: WineRecord[]) => number[];
  const resolver = createReferenceResolver({
    modelDirs: [BUNDLED_MODEL_DIR],
    downloadRoot: '/tmp',
  });

  async function log(records: WineRecord[], modelVersion = version): Promise<string[]> {
    const writer = createPredictionLogWriter({ pool });
    const predictions = predict(records);
    const ids = records.map((_, i) => `req-${modelVersion}-${Date.now()}-${i}`);
    records.forEach((record, i) => {
      writer.enqueue({
        requestId: ids[i] ?? '',
        endpoint: '/predict',
        model: { name: 'wine-quality', version: modelVersion, source: 'bundled' },
        records: [record],
        predictions: [predictions[i] ?? 0],
        receivedAt: Date.now(),
      });
    });
    await writer.close(Date.now() + 10_000);
    return ids;
  }

  beforeAll(async () => {
    db = await createTempDatabase('monitor');
    await runMigrations({ databaseUrl: db.url, direction: 'up' });
    pool = createPool({ connectionString: db.url, applicationName: 'test', max: 2 });
    const dir = await readModelDir(BUNDLED_MODEL_DIR);
    version = `sha256:${dir.sha256.slice(0, 12)}`;
    predict = (records) => dir.model.predictRecords(records);
    const reference = await readModelReference(BUNDLED_MODEL_DIR);
    if (reference.kind !== 'sample') throw new Error('the bundled model has no reference sample');
    sample = reference.sample;
    order = Array.from({ length: sample.rows }, (_, i) => i);
    shuffleInPlace(order, createRng(7));
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('an empty log: no model, nothing published, no error', async () => {
    const result = await runMonitor({ db: pool, resolver }, SETTINGS);
    expect(result.model).toBeUndefined();
    expect(result.liveError).toEqual([]);
  });

  it('below the minimum window: "not enough data", never drift', async () => {
    await log(recordsOf(sample, 0, 50).map((r) => ({ ...r, alcohol: r.alcohol + 3 })));
    const result = await runMonitor({ db: pool, resolver }, SETTINGS);
    expect(result.drift?.status).toBe('not_enough_data');
    expect(result.drift?.dataset_drift).toBe(false);
    expect(Object.values(result.drift?.features ?? {}).some((f) => f.drifted)).toBe(false);
  });

  it('unshifted training rows do not drift; alcohol + sulphates shifted drift exactly', async () => {
    await log(recordsOf(sample, 100, 1100));
    const calm = await runMonitor({ db: pool, resolver }, SETTINGS);
    expect(calm.model).toEqual({ name: 'wine-quality', version, source: 'bundled' });
    expect(calm.drift).toMatchObject({
      status: 'ok',
      dataset_drift: false,
      drifted_columns: 0,
      rows_current: 1000,
    });
    expect(calm.referenceOrigin).toBe(BUNDLED_MODEL_DIR);

    await log(
      recordsOf(sample, 1100, 2100).map((r) => ({
        ...r,
        alcohol: r.alcohol + 1.5,
        sulphates: r.sulphates * 1.3,
      })),
    );
    const shifted = await runMonitor({ db: pool, resolver }, SETTINGS);
    const drifted = Object.entries(shifted.drift?.features ?? {})
      .filter(([, f]) => f.drifted)
      .map(([name]) => name)
      .sort();
    expect(drifted).toEqual(['alcohol', 'sulphates']);
    expect(shifted.drift?.prediction?.drifted).toBe(true);
    expect(shifted.drift?.dataset_drift).toBe(true);
    expect(shifted.drift?.features['alcohol']?.method).toBe('wasserstein');

    const registry = new Registry();
    const metrics = createMonitorMetrics(registry, { defaultMetrics: false });
    publishRun(metrics, shifted);
    const text = await registry.metrics();
    expect(
      metricValue(text, 'wine_drift_feature_drifted', {
        feature: 'alcohol',
        method: 'wasserstein',
      }),
    ).toBe(1);
    expect(metricValue(text, 'wine_drift_feature_drifted', { feature: 'ph' })).toBe(0);
    expect(metricValue(text, 'wine_drift_feature_drifted')).toBe(2);
    expect(metricValue(text, 'wine_drift_dataset_drifted', { model_version: version })).toBe(1);
    expect(metricValue(text, 'wine_drift_prediction_drifted')).toBe(1);
    expect(metricValue(text, 'wine_drift_window_rows')).toBe(1000);
    expect(metricValue(text, 'wine_drift_feature_score', { feature: 'alcohol' })).toBeGreaterThan(
      1,
    );
  });

  it('feedback moves live RMSE/MAE and coverage', async () => {
    const records = recordsOf(sample, 3000, 3100);
    const ids = await log(records);
    const truth = order.slice(3000, 3100).map((i) => sample.quality?.[i] ?? 5);
    const predictions = predict(records);
    await recordFeedback(
      pool,
      ids.map((requestId, i) => ({ requestId, quality: truth[i] ?? 5 })),
    );
    const result = await runMonitor({ db: pool, resolver }, SETTINGS);
    const expected = Math.sqrt(
      predictions.reduce((s, p, i) => s + (p - (truth[i] ?? 5)) ** 2, 0) / 100,
    );
    expect(result.liveError).toHaveLength(1);
    expect(result.liveError[0]?.labelled).toBe(100);
    expect(result.liveError[0]?.rmse).toBeCloseTo(expected, 9);
    // Everything wrong by 3: RMSE moves up.
    await recordFeedback(
      pool,
      ids.map((requestId, i) => ({
        requestId,
        quality: Math.min(10, Math.round((predictions[i] ?? 5) + 3)),
      })),
    );
    const worse = await runMonitor({ db: pool, resolver }, SETTINGS);
    expect(worse.liveError[0]?.rmse).toBeGreaterThan(2.4);
    expect(worse.coverage[0]).toMatchObject({
      modelVersion: version,
      labelled: 100,
      predictions: 2150,
    });
  });

  it('an unknown model version: live error still computed, drift reported missing (partial run)', async () => {
    await log(recordsOf(sample, 0, 10), 'sha256:000000000000');
    const { registry, monitor } = testMonitor(pool, resolver);
    const result = (await monitor.runOnce()) as RunResult;
    expect(result.driftProblem?.dependency).toBe('artifact');
    expect(result.driftProblem?.message).toContain('MONITOR_MODEL_DIRS');
    const text = await registry.metrics();
    expect(metricValue(text, 'wine_monitor_runs_total', { result: 'partial' })).toBe(1);
    expect(metricValue(text, 'wine_live_rmse', { model_version: version })).toBeGreaterThan(2);
    expect(metricValue(text, 'wine_drift_feature_drifted')).toBe(0);
    expect(metricValue(text, 'wine_live_rmse_threshold')).toBe(0.9);

    const served = await serveMonitor({
      port: 0,
      host: '127.0.0.1',
      registry,
      last: () => monitor.last(),
    });
    try {
      const base = `http://127.0.0.1:${served.port}`;
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
      const status = (await (await fetch(`${base}/status`)).json()) as {
        model: { version: string };
      };
      expect(status.model.version).toBe('sha256:000000000000');
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      served.server.close();
    }
  });

  it('PostgreSQL unreachable: the run fails, says so in metrics, keeps the last values', async () => {
    const dead = createPool({
      connectionString: 'postgres://postgres@127.0.0.1:1/x',
      applicationName: 'test',
      connectTimeoutMs: 500,
    });
    const { registry, monitor } = testMonitor(dead, resolver);
    const result = await monitor.runOnce();
    expect(result).toEqual({ error: expect.stringContaining('DB_UNREACHABLE') });
    const text = await registry.metrics();
    expect(metricValue(text, 'wine_monitor_dependency_up', { dependency: 'postgres' })).toBe(0);
    expect(metricValue(text, 'wine_monitor_runs_total', { result: 'error' })).toBe(1);
    expect(metricValue(text, 'wine_monitor_last_success_timestamp_seconds')).toBe(0);
    expect(metricValue(text, 'wine_monitor_last_run_timestamp_seconds')).toBeGreaterThan(0);
    await dead.end();
  });
});
