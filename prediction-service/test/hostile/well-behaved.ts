/**
 * The well-behaved client of test/hostile-clients.integ.test.ts, in its own process (as a
 * real client would be, and away from the test runner's own pauses), run by Node directly:
 *
 *   node well-behaved.ts <port> <durationMs>
 *
 * From 127.0.0.2, one keep-alive connection, one record scored every 5 ms. Prints one JSON
 * line: requests, 200s, the other outcomes, latencies' p50/p99/max and the largest body.
 */
import http from 'node:http';
import { EXAMPLE_WINE } from '@wine/model';

const [portText = '', durationText = ''] = process.argv.slice(2);
const port = Number(portText);
const end = Date.now() + Number(durationText);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: '127.0.0.2' });
const body = JSON.stringify(EXAMPLE_WINE);

function score(): Promise<{ outcome: string; bytes: number }> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/predict',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
        timeout: 5000,
      },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          resolve({ outcome: String(res.statusCode), bytes });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      resolve({ outcome: e.code ?? e.message, bytes: 0 });
    });
    req.end(body);
  });
}

async function main(): Promise<void> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let ok = 0;
  let maxBodyBytes = 0;
  while (Date.now() < end) {
    const started = performance.now();
    const { outcome, bytes } = await score();
    latencies.push(performance.now() - started);
    maxBodyBytes = Math.max(maxBodyBytes, bytes);
    if (outcome === '200') ok++;
    else failures.push(outcome);
    await new Promise((r) => setTimeout(r, 5));
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
  process.stdout.write(
    `${JSON.stringify({ requests: latencies.length, ok, failures, p50: at(0.5), p99: at(0.99), max: at(1), maxBodyBytes })}\n`,
  );
}

void main();
