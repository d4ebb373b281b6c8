/**
 * The built server as a real process: HTTP over loopback, graceful SIGTERM with a request in
 * flight, and cluster mode with aggregated /metrics. Needs `pnpm build` (CI builds first).
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { GOOD, tempDir, writeTinyModel } from './fixtures';
import { SERVICE_MAIN as MAIN, metricValue, startService, waitUntil } from './service-process';

const MODEL_DIST = path.resolve(__dirname, '..', '..', 'packages', 'model', 'dist', 'index.js');
const built = existsSync(MAIN) && existsSync(MODEL_DIST);
const required = process.env['REQUIRE_REAL_SERVICES'] === '1';

if (!built) {
  const why = `prediction-service/dist/main.js is missing: run \`pnpm build\` first`;
  if (required) {
    test('built service is present (REQUIRE_REAL_SERVICES=1)', () => {
      throw new Error(why);
    });
  } else {
    console.warn(`SKIPPING real-process tests: ${why}`);
  }
}
// Needs the built service; without a build it skips with the warning above (fails under REQUIRE_REAL_SERVICES=1).
const describeBuilt = built ? describe : describe.skip;

/** One request on a fresh connection (no keep-alive pooling, so the cluster spreads them). */
function call(
  port: number,
  method: string,
  urlPath: string,
  body?: unknown,
  options: { host?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

describeBuilt('built service process', () => {
  let model: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    model = await tempDir();
    await writeTinyModel(model.dir);
  });
  afterAll(async () => {
    await model.cleanup();
  });

  it('serves over HTTP and drains an in-flight request on SIGTERM, then exits 0', async () => {
    const svc = await startService({ MODEL_URI: `file:${model.dir}`, SHUTDOWN_TIMEOUT_S: '10' });
    try {
      expect((await call(svc.port, 'GET', '/ready')).status).toBe(200);
      const single = await call(svc.port, 'POST', '/predict', GOOD);
      expect(single.status).toBe(200);
      expect(JSON.parse(single.text).quality).toEqual(expect.any(Number));

      // A slow client: headers and half the body now, the rest after SIGTERM.
      const payload = JSON.stringify({ instances: Array.from({ length: 50 }, () => GOOD) });
      const half = Math.floor(payload.length / 2);
      const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: svc.port,
            method: 'POST',
            path: '/predict',
            agent: false,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              text += c;
            });
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, text });
            });
          },
        );
        req.on('error', reject);
        req.write(payload.slice(0, half));
        setTimeout(() => {
          svc.child.kill('SIGTERM');
          setTimeout(() => req.end(payload.slice(half)), 400);
        }, 300);
      });
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text).predictions).toHaveLength(50);
      expect(await svc.exited).toBe(0);
      expect(svc.logs.join('')).toContain('shutting down');
    } finally {
      svc.child.kill('SIGKILL');
    }
  });

  it('serves operations only on the management port, bound to loopback by default', async () => {
    // Public on every interface, MANAGEMENT_HOST left at its default.
    const svc = await startService({ MODEL_URI: `file:${model.dir}`, HOST: '0.0.0.0' });
    try {
      // 127.0.0.2 is another loopback address: reachable only on a socket bound to 0.0.0.0.
      const other = { host: '127.0.0.2' };
      expect((await call(svc.port, 'POST', '/predict', GOOD, other)).status).toBe(200);
      for (const [method, urlPath] of [
        ['GET', '/metrics'],
        ['GET', '/model'],
        ['POST', '/model/reload'],
      ] as const) {
        expect((await call(svc.port, method, urlPath, undefined, other)).status).toBe(404);
      }
      await expect(call(svc.managementPort, 'GET', '/metrics', undefined, other)).rejects.toThrow(
        /ECONNREFUSED/,
      );
      const metrics = await call(svc.managementPort, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('wine_predictions_total');
      expect((await call(svc.managementPort, 'GET', '/model')).status).toBe(200);
    } finally {
      await svc.stop();
    }
  });

  it('with WEB_CONCURRENCY=2, /metrics aggregates all workers, reloads reach them, SIGTERM stops the cluster', async () => {
    const svc = await startService({
      MODEL_URI: `file:${model.dir}`,
      WEB_CONCURRENCY: '2',
      ADMIN_TOKEN: 'cluster-token',
    });
    try {
      // Wait until both workers listen (the first "listening" line came from one of them).
      const deadline = Date.now() + 15_000;
      while (
        svc.logs.filter((l) => l.includes('prediction service listening')).length < 2 &&
        Date.now() < deadline
      ) {
        await sleep(50);
      }
      const n = 20;
      for (let i = 0; i < n; i++)
        expect((await call(svc.port, 'POST', '/predict', GOOD)).status).toBe(200);
      // Each scrape may land on either worker; both must see the cluster-wide total.
      for (let i = 0; i < 2; i++) {
        const metrics = await call(svc.managementPort, 'GET', '/metrics');
        expect(metrics.status).toBe(200);
        const total = /^wine_predictions_total\{[^}]*\} (\d+)/m.exec(metrics.text);
        expect(Number(total?.[1])).toBe(n);
        expect(metrics.text).toMatch(/^wine_model_info\{[^}]*\} 1$/m);
      }
      const reload = await call(svc.managementPort, 'POST', '/model/reload', undefined, {
        headers: { authorization: 'Bearer cluster-token' },
      });
      expect(reload.status).toBe(200);
      expect(JSON.parse(reload.text)).toMatchObject({ result: 'unchanged' });
      // The relayed reload runs on the other worker too: both count a forced check.
      await waitUntil(
        'both workers reloaded',
        async () => {
          const text = (await call(svc.managementPort, 'GET', '/metrics')).text;
          return metricValue(text, 'wine_model_reloads_total', { result: 'unchanged' }) >= 2;
        },
        10_000,
      );
      const pids = new Set(
        svc.logs
          .filter((l) => l.includes('prediction service listening'))
          .map((l) => (JSON.parse(l) as { pid: number }).pid),
      );
      expect(pids.size).toBe(2);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
    } finally {
      svc.child.kill('SIGKILL');
    }
  });
});
