/**
 * The pipeline API on real Redis and PostgreSQL (no workers: runs only get enqueued):
 * Alertmanager webhook auth, validation, deduplication and cool-down; admin routes;
 * bull-board; /metrics (checked by promtool when installed).
 */
import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import request from 'supertest';
import { describeWithServices } from '../../packages/mlflow-client/test/real-services';
import { buildApi } from '../src/cli/commands';
import { loadConfig } from '../src/config';
import { createRuntime, type Runtime } from '../src/runtime';
import { ALL_QUEUES } from '../src/engine/queues';
import {
  createMigratedDatabase,
  missingPostgresAndRedis,
  REDIS_URL,
  uniquePrefix,
  type TempDatabase,
} from './services';

const TOKEN = 'webhook-secret';
const ADMIN = 'admin-secret';

function payload(
  groupKey: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: '4',
    groupKey,
    status: 'firing',
    receiver: 'retraining-pipeline',
    groupLabels: { alertname: 'DatasetDrift' },
    commonLabels: { alertname: 'DatasetDrift', action: 'retrain', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'DatasetDrift', action: 'retrain', model_version: '1' },
        annotations: { summary: 'drift' },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'abc',
      },
    ],
    ...overrides,
  };
}

function hasPromtool(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describeWithServices('pipeline API (real Redis and PostgreSQL)', missingPostgresAndRedis(), () => {
  let db: TempDatabase;
  const runtimes: Runtime[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase('pipeline_api');
  }, 60_000);
  /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset if beforeAll failed */
  afterAll(async () => {
    for (const runtime of runtimes) {
      const q = runtime.queues();
      await Promise.all(q.all.map((x) => x.obliterate({ force: true })));
      await runtime.close();
    }
    await db?.drop();
  });
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */

  function app(cooldownMin: string) {
    const config = loadConfig({
      REDIS_URL,
      DATABASE_URL: db.url,
      PIPELINE_QUEUE_PREFIX: uniquePrefix('api'),
      PIPELINE_WEBHOOK_TOKEN: TOKEN,
      ADMIN_TOKEN: ADMIN,
      PIPELINE_COOLDOWN_MIN: cooldownMin,
      PIPELINE_DATA: '/data',
    });
    const runtime = createRuntime(config, { name: 'test', logger: pino({ level: 'silent' }) });
    runtimes.push(runtime);
    return { runtime, http: buildApi(runtime, runtime.store!) };
  }

  const hook = (http: Parameters<typeof request>[0]) =>
    request(http).post('/hooks/alertmanager').set('authorization', `Bearer ${TOKEN}`);

  it('rejects unauthenticated and malformed calls with a clear 4xx, enqueuing nothing', async () => {
    const { http, runtime } = app('60');
    const noAuth = await request(http).post('/hooks/alertmanager').send(payload('g'));
    expect(noAuth.status).toBe(401);
    expect(noAuth.body.error.code).toBe('WEBHOOK_UNAUTHORIZED');
    const wrong = await request(http)
      .post('/hooks/alertmanager')
      .set('authorization', 'Bearer nope')
      .send(payload('g'));
    expect(wrong.status).toBe(401);
    const badJson = await hook(http)
      .set('content-type', 'application/json')
      .send('{"version": "4", ');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatchObject({
      code: 'WEBHOOK_MALFORMED',
      message: 'The request body is not valid JSON.',
    });
    const notAlertmanager = await hook(http).send({ hello: 'world' });
    expect(notAlertmanager.status).toBe(400);
    expect((notAlertmanager.body.error.details as string[]).join('\n')).toContain('groupKey');
    expect(await runtime.queues().runs.count()).toBe(0);
  });

  it('ignores resolved groups and alerts that do not ask for retraining', async () => {
    const { http, runtime } = app('60');
    const resolved = await hook(http).send(
      payload('{}:{alertname="DatasetDrift"}', { status: 'resolved' }),
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('ignored');
    const other = payload('{}:{alertname="PredictionServiceDown"}', {
      alerts: [{ status: 'firing', labels: { alertname: 'PredictionServiceDown' } }],
    });
    expect((await hook(http).send(other)).body.status).toBe('ignored');
    expect(await runtime.queues().runs.count()).toBe(0);
  });

  it('enqueues one run for a group posted 5 times, and none for another group within the cool-down', async () => {
    const { http, runtime } = app('60');
    const group = '{}/{action="retrain"}:{alertname="DatasetDrift"}';
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await hook(http).send(payload(group)));
    expect(replies.map((r) => r.status)).toEqual([202, 200, 200, 200, 200]);
    expect(replies.slice(1).map((r) => (r.body as { status: string }).status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    const runId = replies[0]!.body.runId as string;
    expect(replies[4]!.body.runId).toBe(runId);

    const other = await hook(http).send(
      payload('{}/{action="retrain"}:{alertname="LiveRmseHigh"}'),
    );
    expect(other.status).toBe(200);
    expect(other.body.status).toBe('cooldown');

    expect(await runtime.queues().runs.count()).toBe(1);
    const run = await runtime.store!.getRun(runId);
    expect(run).toMatchObject({ trigger: 'alert', groupKey: group, status: 'queued' });

    const metrics = await request(http).get('/metrics');
    expect(metrics.text).toContain('wine_pipeline_webhook_requests_total{outcome="enqueued"} 1');
    expect(metrics.text).toContain('wine_pipeline_webhook_requests_total{outcome="duplicate"} 4');
    expect(metrics.text).toContain('wine_pipeline_webhook_requests_total{outcome="cooldown"} 1');
    expect(metrics.text).toMatch(
      /wine_pipeline_queue_jobs\{queue="pipeline-runs",state="waiting"\} 1/,
    );
    if (hasPromtool()) {
      execFileSync('promtool', ['check', 'metrics'], { input: metrics.text });
    }
  });

  it('without a cool-down, deduplicates per group only while its run is in flight', async () => {
    const { http, runtime } = app('0');
    const a = await hook(http).send(payload('group-a'));
    const again = await hook(http).send(payload('group-a'));
    const b = await hook(http).send(payload('group-b'));
    expect([a.status, again.body.status, b.status]).toEqual([202, 'duplicate', 202]);
    expect(await runtime.queues().runs.count()).toBe(2);
  });

  it('guards run history and bull-board with ADMIN_TOKEN (bearer or basic auth)', async () => {
    const { http } = app('60');
    expect((await request(http).get('/runs')).status).toBe(401);
    const runs = await request(http).get('/runs').auth('admin', ADMIN);
    expect(runs.status).toBe(200);
    expect(Array.isArray(runs.body.runs)).toBe(true);
    expect(
      (await request(http).get('/runs/nope').set('authorization', `Bearer ${ADMIN}`)).status,
    ).toBe(404);
    expect((await request(http).get('/admin/queues')).status).toBe(401);
    const board = await request(http).get('/admin/queues').auth('admin', ADMIN);
    expect(board.status).toBe(200);
    expect(board.text).toContain('<html');
    // Every queue is on the board, the batch-scoring queue included.
    const listed = await request(http).get('/admin/queues/api/queues').auth('admin', ADMIN);
    expect(listed.status).toBe(200);
    const names = (listed.body as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect([...names].sort()).toEqual([...ALL_QUEUES].sort());
    expect(names).toContain('pipeline-batch');
    expect((await request(http).get('/nowhere')).body.error.code).toBe('API_NOT_FOUND');
  });
});
