/**
 * Load generators for the service benchmark, bounded in time and aimed at 127.0.0.1 only:
 * wrk for maximum throughput (closed loop), autocannon's `overallRate` for latency at a fixed
 * request rate (wrk2 is not packaged here).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import autocannon from 'autocannon';

export const WRK = process.env['BENCH_WRK'] ?? '/usr/bin/wrk';

export interface ThroughputResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: string | null;
}

export async function writeWrkScript(file: string, body: string): Promise<void> {
  // A Lua long bracket keeps the JSON verbatim (it never contains "]==]").
  await writeFile(
    file,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[${body}]==]\n`,
  );
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

/** wrk -t2 -c64 -d<seconds>s --latency; killed if it overruns by 10 s. */
export function wrk(
  url: string,
  script: string,
  seconds: number,
  connections = 64,
): Promise<ThroughputResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      WRK,
      ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (code !== 0 || rps?.[1] === undefined) {
        reject(new Error(`wrk failed (exit ${String(code)}):\n${out}`));
        return;
      }
      const pct = (p: string): number => {
        const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out);
        return m?.[1] === undefined || m[2] === undefined ? NaN : toMs(m[1], m[2]);
      };
      resolve({
        requestsPerSecond: Number(rps[1]),
        p50Ms: pct('50'),
        p99Ms: pct('99'),
        non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
        socketErrors: /Socket errors:.*$/m.exec(out)?.[0] ?? null,
      });
    });
  });
}

export interface FixedRateResult {
  targetRps: number;
  achievedRps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
}

/** Open-ish loop at a fixed overall rate; reports latency percentiles. */
export async function fixedRate(
  url: string,
  body: string,
  rps: number,
  seconds: number,
): Promise<FixedRateResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: 32,
    overallRate: Math.max(1, Math.round(rps)),
    duration: seconds,
  });
  return {
    targetRps: Math.round(rps),
    achievedRps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
