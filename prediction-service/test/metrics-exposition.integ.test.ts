/**
 * The /metrics text is what Prometheus and its tooling consume: `promtool check metrics` (the
 * Debian `prometheus` package) must find nothing to complain about, for one process and for a
 * cluster's aggregated output, with every kind of request having been counted. And the
 * `method` label stays small whatever methods clients send.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import request from 'supertest';
import { describeWithTool } from '../../infrastructure/src/testing/real-tool';
import { METRIC_NAMES } from '../src/metrics';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';

let apps: TestApp[];
let server: http.Server;
let cleanup: () => Promise<void>;

/** A request with any method Node's parser accepts, over a real socket. */
function send(method: string, path: string): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  await writeTinyModel(tmp.dir);
  // Two "workers" (registries with the default process metrics) for the cluster aggregate.
  apps = [
    await buildTestApp(tmp.dir, {}, { defaultMetrics: true }),
    await buildTestApp(tmp.dir, {}, { defaultMetrics: true }),
  ];
  const first = apps[0]!;
  server = http.createServer(first.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  for (const t of apps) {
    await request(t.app).post('/predict').send(GOOD).expect(200);
    await request(t.app)
      .post('/predict')
      .send({ ...GOOD, ph: 20 })
      .expect(422);
    await request(t.app).get('/nope').expect(404);
    await request(t.management).get('/model').expect(200);
  }
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await cleanup();
});

describe('the method label', () => {
  it('collapses every non-standard method into "other"', async () => {
    const exotic = http.METHODS.filter(
      (m) => !['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT'].includes(m),
    );
    expect(exotic.length).toBeGreaterThan(20);
    for (const method of exotic) expect(await send(method, '/predict')).toBe(405);
    const text = await apps[0]!.registry.getSingleMetricAsString(METRIC_NAMES.httpRequestDuration);
    const methods = new Set([...text.matchAll(/method="([^"]*)"/g)].map((m) => m[1]));
    expect([...methods].sort()).toEqual(['GET', 'POST', 'other']);
  });
});

describeWithTool(
  'promtool check metrics',
  {
    envVar: 'PROMTOOL_BIN',
    name: 'promtool',
    install: 'Debian/Ubuntu: apt-get install prometheus, as .ci/services/promtool.sh does',
  },
  (promtool) => {
    const check = (text: string): { status: number | null; output: string } => {
      const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
    };

    it('passes on one process', async () => {
      const text = (await request(apps[0]!.management).get('/metrics').expect(200)).text;
      expect(text).toContain('process_cpu_seconds_total');
      expect(check(text)).toEqual({ status: 0, output: '' });
    });

    it("passes on a cluster's aggregated output", async () => {
      const text = await AggregatorRegistry.aggregate(
        await Promise.all(apps.map((t) => t.registry.getMetricsAsJSON())),
      ).metrics();
      expect(text).toContain('wine_predictions_total');
      expect(check(text)).toEqual({ status: 0, output: '' });
    });
  },
);
