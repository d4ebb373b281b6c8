import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openLoop } from './open-loop';

describe('openLoop', () => {
  let server: http.Server;
  let url: string;
  let seen = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen++;
        const ok = req.headers['content-type'] === 'application/json';
        const text = ok ? '{"quality":5.5}' : '{}';
        res.writeHead(ok ? 200 : 415, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([false, true])(
    'sends rate × seconds requests and times every answer (spin %s)',
    async (spin) => {
      seen = 0;
      const result = await openLoop({
        url,
        body: '{"a":1}',
        rps: 400,
        seconds: 1,
        sockets: 4,
        spin,
      });
      expect(seen).toBe(400);
      expect(result).toMatchObject({ targetRps: 400, errors: 0, non2xx: 0 });
      expect(result.pacing).toBe(spin ? 'spin' : 'timer-1ms');
      expect(result.achievedRps).toBeGreaterThan(300);
      expect(result.p50Ms).toBeGreaterThanOrEqual(0);
      expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
      expect(result.maxMs).toBeGreaterThanOrEqual(result.p999Ms);
      expect(result.lateness.maxMs).toBeGreaterThanOrEqual(result.lateness.p50Ms);
    },
  );
});
