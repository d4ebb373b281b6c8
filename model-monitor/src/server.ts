/**
 * The monitor's HTTP endpoints (node:http; three read-only routes need no framework):
 * GET /metrics (Prometheus), GET /status (the last run as JSON, for people), GET /health.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { RunResult } from './monitor-run';

export function statusBody(last: RunResult | undefined): object {
  if (last === undefined) return { status: 'starting' };
  return {
    at: new Date(last.at).toISOString(),
    model: last.model ?? null,
    window_rows: last.windowRows,
    reference: last.referenceOrigin ?? null,
    drift_problem: last.driftProblem ?? null,
    drift: last.drift ?? null,
    live_error: last.liveError,
    feedback_coverage: last.coverage,
  };
}

export async function serveMonitor(options: {
  port: number;
  host: string;
  registry: Registry;
  last: () => RunResult | undefined;
}): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(
        405,
        'application/json',
        JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED', message: 'GET only' } }),
      );
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          send(200, options.registry.contentType, text);
        },
        (error: unknown) => {
          send(500, 'text/plain', String(error));
        },
      );
    } else if (path === '/status') {
      send(200, 'application/json', JSON.stringify(statusBody(options.last())));
    } else if (path === '/health') {
      send(200, 'application/json', '{"status":"ok"}');
    } else {
      send(
        404,
        'application/json',
        JSON.stringify({
          error: { code: 'NOT_FOUND', message: 'Routes: /metrics, /status, /health' },
        }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
