/**
 * Load generators for the service benchmark, bounded in time and aimed at 127.0.0.1 only:
 * wrk for maximum throughput (closed loop), and a small open-loop generator for latency at a
 * fixed request rate (open-loop.ts, its own process; wrk2 is not packaged here).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FixedRateResult, OpenLoopOptions } from './open-loop';

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

export type { FixedRateResult } from './open-loop';

/** Where to pin a 1-process server and the generator for a latency run (taskset CPU lists). */
export interface Pinning {
  readonly server: string;
  readonly generator: string;
}

export const TASKSET = '/usr/bin/taskset';

/**
 * CPUs for a latency run of a one-process server: the server on CPU 0, the generator on
 * CPU 1, so neither waits for the other's time slice on a shared core (the load generator
 * plays a client on another machine). Undefined with one CPU, without taskset, or with
 * BENCH_PIN=0.
 */
export function latencyPinning(): Pinning | undefined {
  if (process.env['BENCH_PIN'] === '0') return undefined;
  if (os.availableParallelism() < 2 || !existsSync(TASKSET)) return undefined;
  return { server: '0', generator: '1' };
}

/** Moves every thread of a running process onto `cpus` (taskset -a -p). */
export async function pin(pid: number, cpus: string): Promise<void> {
  await promisify(execFile)(TASKSET, ['-a', '-p', '-c', cpus, String(pid)], { timeout: 10_000 });
}

/**
 * Open-loop load at a constant rate, measured by the generator in open-loop.ts run as its own
 * process. With `pinning`, the server (pid) is moved to its CPU first and the generator runs
 * on the other one and paces by busy-polling (it has the core to itself); without, the
 * generator runs anywhere and paces on 1 ms timer ticks.
 */
export async function fixedRate(
  url: string,
  body: string,
  rps: number,
  seconds: number,
  options: { sockets?: number; pinning?: Pinning; serverPid?: number } = {},
): Promise<FixedRateResult> {
  const { pinning } = options;
  if (pinning !== undefined) {
    if (options.serverPid === undefined) throw new Error('pinning needs the server pid');
    await pin(options.serverPid, pinning.server);
  }
  const args: OpenLoopOptions = {
    url,
    body,
    rps,
    seconds,
    sockets: options.sockets ?? 64,
    spin: pinning !== undefined,
  };
  const script = path.join(__dirname, 'open-loop.js');
  const [command, argv] =
    pinning === undefined
      ? [process.execPath, [script, JSON.stringify(args)]]
      : [TASKSET, ['-c', pinning.generator, process.execPath, script, JSON.stringify(args)]];
  const { stdout } = await promisify(execFile)(command, argv, {
    timeout: (seconds + 30) * 1000,
    maxBuffer: 1024 * 1024,
  });
  const result = JSON.parse(stdout) as FixedRateResult;
  return pinning === undefined
    ? result
    : { ...result, pinned: { generator: pinning.generator, server: pinning.server } };
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
