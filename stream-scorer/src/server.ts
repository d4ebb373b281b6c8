/**
 * The scorer's operations port (node:http; four read-only routes need no framework):
 * GET /metrics (Prometheus), /health (alive), /ready (a model is loaded and the group is
 * ready), /status (streams, group, consumer, counts and the served model, as JSON).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface OperationsOptions {
  readonly port: number;
  readonly host: string;
  readonly registry: Registry;
  readonly ready: () => boolean;
  readonly status: () => object;
}

export async function serveOperations(
  options: OperationsOptions,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    const json = (status: number, body: object): void => {
      send(status, 'application/json', JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'GET only' } });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/metrics':
        options.registry.metrics().then(
          (text) => {
            send(200, options.registry.contentType, text);
          },
          (error: unknown) => {
            send(500, 'text/plain', String(error));
          },
        );
        return;
      case '/health':
        json(200, { status: 'ok' });
        return;
      case '/ready':
        if (options.ready()) json(200, { status: 'ready' });
        else
          json(503, {
            error: { code: 'NOT_READY', message: 'no model loaded or group not ready yet' },
          });
        return;
      case '/status':
        json(200, options.status());
        return;
      default:
        json(404, {
          error: { code: 'NOT_FOUND', message: 'Routes: /metrics, /health, /ready, /status' },
        });
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
