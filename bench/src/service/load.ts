/**
 * Load generators for the service benchmark, bounded in time and aimed at 127.0.0.1 only:
 * wrk for maximum throughput (closed loop), and a small open-loop generator for latency at a
 * fixed request rate (wrk2 is not packaged here).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export const WRK = process.env['BENCH_WRK'] ?? '/usr/bin/wrk';

export interface ThroughputResult {
  requestsPerSecond: number;
  /** Answered during the run. */
  requests: number;
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
        requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
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

/**
 * Open-loop load at a constant rate (what wrk2 does): request i is due at start + i/rate and
 * its latency counts from that due time, so a stalled server cannot hide queueing delay (no
 * coordinated omission). Requests are pre-serialised bytes written to a pool of keep-alive
 * sockets and responses are framed by Content-Length only, so the generator costs far less
 * CPU than the servers it measures (node:http's client could not keep up on 2 cores).
 * autocannon's `overallRate` was not used: it spends each connection's per-second budget in
 * a burst at the start of every second. Needs a keep-alive server (not gunicorn sync workers).
 */
export async function fixedRate(
  url: string,
  body: string,
  rps: number,
  seconds: number,
  sockets = 64,
): Promise<FixedRateResult> {
  const target = new URL(url);
  const request = Buffer.from(
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const total = Math.max(1, Math.round(rps * seconds));
  const interval = 1000 / rps;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;

  interface Conn {
    socket: net.Socket;
    due: number[];
    buffer: Buffer;
  }
  const conns: Conn[] = await Promise.all(
    Array.from(
      { length: sockets },
      () =>
        new Promise<Conn>((resolve, reject) => {
          const socket = net.connect(Number(target.port), target.hostname, () => {
            resolve(conn);
          });
          const conn: Conn = { socket, due: [], buffer: Buffer.alloc(0) };
          socket.setNoDelay(true);
          socket.once('error', reject);
          socket.on('data', (chunk: Buffer) => {
            conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
            for (;;) {
              const headerEnd = conn.buffer.indexOf('\r\n\r\n');
              if (headerEnd < 0) return;
              const head = conn.buffer.subarray(0, headerEnd).toString('latin1');
              const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
              const end = headerEnd + 4 + length;
              if (conn.buffer.length < end) return;
              if (!head.startsWith('HTTP/1.1 2')) non2xx++;
              conn.buffer = conn.buffer.subarray(end);
              const due = conn.due.shift();
              if (due !== undefined) latencies.push(performance.now() - due);
            }
          });
        }),
    ),
  );

  const start = performance.now();
  await new Promise<void>((resolve) => {
    let issued = 0;
    const tick = (): void => {
      const now = performance.now();
      while (issued < total && start + issued * interval <= now) {
        // The least-loaded socket; pipelining only when every socket is busy.
        let best = conns[0] as Conn;
        for (const c of conns) if (c.due.length < best.due.length) best = c;
        best.due.push(start + issued * interval);
        best.socket.write(request);
        issued++;
      }
      if (issued < total) {
        setTimeout(tick, 1);
        return;
      }
      const drain = (): void => {
        if (latencies.length >= total || performance.now() > start + (seconds + 10) * 1000)
          resolve();
        else setTimeout(drain, 5);
      };
      drain();
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  for (const c of conns) {
    errors += c.due.length;
    c.socket.destroy();
  }
  const sorted = latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    round2(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN);
  return {
    targetRps: Math.round(rps),
    achievedRps: Math.round(sorted.length / elapsed),
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxMs: round2(sorted[sorted.length - 1] ?? NaN),
    errors,
    non2xx,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere.
 * CPU per request varies far less with other load on the machine than requests per second.
 */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;
