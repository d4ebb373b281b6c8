/**
 * The open-loop load generator (what wrk2 does), run as a process of its own by `fixedRate`
 * (load.ts): request i is due at start + i/rate and its latency counts from that due time,
 * so a stalled server cannot hide queueing delay (no coordinated omission). Requests are
 * pre-serialised bytes written to a pool of keep-alive sockets and responses are framed by
 * Content-Length only, so the generator costs far less CPU than the servers it measures
 * (node:http's client could not keep up on 2 cores). autocannon's `overallRate` was not
 * used: it spends each connection's per-second budget in a burst at the start of every second.
 * Needs a keep-alive server (not gunicorn sync workers).
 *
 * Its own process, not the benchmark's: the harness holds the training data, models and
 * child-process plumbing, and its garbage collections and timers would stall the
 * generator — a stall that the due-time rule rightly charges to the server's latency.
 *
 * Pacing. With `spin` (set when the generator has a core to itself, see load.ts), the loop
 * never sleeps: it sends each request when it falls due and reads answers as they come
 * (setImmediate). Otherwise it wakes every millisecond (setTimeout's resolution) and sends
 * what fell due meanwhile in a burst, so requests leave up to ~1 ms late and arrive in
 * bunches. Either way latency counts from the due time; `lateness` reports how late the
 * generator itself sent (the part of the latency that is the generator's own).
 *
 * Usage: node open-loop.js '<OpenLoopOptions as JSON>' → prints a FixedRateResult as JSON.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface OpenLoopOptions {
  readonly url: string;
  readonly body: string;
  readonly rps: number;
  readonly seconds: number;
  readonly sockets: number;
  /** Busy-poll instead of 1 ms timer ticks (only with a core of its own). */
  readonly spin: boolean;
}

export interface FixedRateResult {
  targetRps: number;
  achievedRps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
  /** How late the generator sent requests after their due time (its own share of latency). */
  lateness: { p50Ms: number; p99Ms: number; maxMs: number };
  pacing: 'spin' | 'timer-1ms';
  /** CPUs the generator and the server were pinned to (taskset), when they were. */
  pinned?: { generator: string; server: string };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Percentiles of the first n values (sorted in place). */
function percentiles(values: Float64Array, n: number, ps: readonly number[]): number[] {
  const sorted = values.subarray(0, n).sort();
  return ps.map((p) =>
    n === 0 ? NaN : round2(sorted[Math.min(n - 1, Math.floor(p * n))] as number),
  );
}

interface Conn {
  socket: net.Socket;
  /** Due times of the requests in flight on this socket, oldest first. */
  due: number[];
  buffer: Buffer;
}

export async function openLoop(o: OpenLoopOptions): Promise<FixedRateResult> {
  const target = new URL(o.url);
  const request = Buffer.from(
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(o.body)}\r\n\r\n${o.body}`,
  );
  const total = Math.max(1, Math.round(o.rps * o.seconds));
  const interval = 1000 / o.rps;
  // Preallocated: a growing array of numbers would be garbage collected mid-run.
  const latencies = new Float64Array(total);
  const lateness = new Float64Array(total);
  let answered = 0;
  let non2xx = 0;

  const onData = (conn: Conn, chunk: Buffer): void => {
    const now = performance.now();
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
      if (due !== undefined && answered < total) latencies[answered++] = now - due;
    }
  };
  const conns: Conn[] = await Promise.all(
    Array.from(
      { length: o.sockets },
      () =>
        new Promise<Conn>((resolve, reject) => {
          const socket = net.connect(Number(target.port), target.hostname, () => {
            resolve(conn);
          });
          const conn: Conn = { socket, due: [], buffer: Buffer.alloc(0) };
          socket.setNoDelay(true);
          socket.once('error', reject);
          socket.on('data', (chunk: Buffer) => {
            onData(conn, chunk);
          });
        }),
    ),
  );

  const start = performance.now();
  let issued = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      let now = performance.now();
      while (issued < total && start + issued * interval <= now) {
        // The least-loaded socket; pipelining only when every socket is busy.
        let best = conns[0] as Conn;
        for (const c of conns) if (c.due.length < best.due.length) best = c;
        const due = start + issued * interval;
        best.due.push(due);
        best.socket.write(request);
        now = performance.now();
        lateness[issued] = now - due;
        issued++;
      }
      if (issued < total) {
        if (o.spin) setImmediate(tick);
        else setTimeout(tick, 1);
        return;
      }
      const drain = (): void => {
        if (answered >= total || performance.now() > start + (o.seconds + 10) * 1000) resolve();
        else setTimeout(drain, 5);
      };
      drain();
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  let errors = 0;
  for (const c of conns) {
    errors += c.due.length;
    c.socket.destroy();
  }
  const [p50, p90, p99, p999, max] = percentiles(latencies, answered, [0.5, 0.9, 0.99, 0.999, 1]);
  const [l50, l99, lmax] = percentiles(lateness, issued, [0.5, 0.99, 1]);
  return {
    targetRps: Math.round(o.rps),
    achievedRps: Math.round(answered / elapsed),
    p50Ms: p50 as number,
    p90Ms: p90 as number,
    p99Ms: p99 as number,
    p999Ms: p999 as number,
    maxMs: max as number,
    errors,
    non2xx,
    lateness: { p50Ms: l50 as number, p99Ms: l99 as number, maxMs: lmax as number },
    pacing: o.spin ? 'spin' : 'timer-1ms',
  };
}

if (require.main === module) {
  const options = JSON.parse(process.argv[2] ?? '{}') as OpenLoopOptions;
  openLoop(options).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
