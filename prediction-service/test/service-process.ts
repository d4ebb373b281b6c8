/**
 * The built service (dist/main.js) as a real child process, for end-to-end tests: start it
 * with an environment, wait for its "listening" log line (one per worker with
 * WEB_CONCURRENCY > 1), read its logs, stop it; plus a steady-load generator and a
 * Prometheus text reader.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

export const SERVICE_MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');

/** After SIGTERM, how long stop() waits before SIGKILL (the service drains for at most 10 s + 5 s). */
const STOP_GRACE_MS = 25_000;

/**
 * Services of this test file that have not exited. A test that times out never reaches its
 * stop(); the child's pipes would keep jest (in band on 2 cores) from exiting after the run,
 * so whatever is left is killed when the file's tests end.
 */
const live = new Set<ChildProcess>();
/** Load loops not stopped yet: a timed-out test's loop would otherwise request forever. */
const liveLoads = new Set<() => void>();
if (typeof afterAll === 'function') {
  afterAll(async () => {
    for (const halt of liveLoads) halt();
    liveLoads.clear();
    const left = [...live];
    for (const child of left) child.kill('SIGKILL');
    await Promise.all(
      left
        .filter((child) => child.exitCode === null && child.signalCode === null)
        .map((child) => new Promise((resolve) => child.once('exit', resolve))),
    );
  });
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** The management port (/metrics, /model, /model/reload) on 127.0.0.1. */
  readonly managementUrl: string;
  readonly managementPort: number;
  readonly logs: string[];
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startService(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [SERVICE_MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      MANAGEMENT_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  // A cluster is ready once every worker listens: a test that signals it earlier kills a
  // worker that is still starting (no shutdown flush, no log line of its own).
  const workers = Math.max(1, Number(env['WEB_CONCURRENCY'] ?? '1') || 1);
  let listening = 0;
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  /** SIGTERM, then SIGKILL if it has not exited within STOP_GRACE_MS (a hung drain). */
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(
          `service did not start (${listening}/${workers} workers listening) in ${timeoutMs} ms:\n${logs.join('')}`,
        ),
      );
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        logs.push(line + '\n');
        try {
          const entry = JSON.parse(line) as {
            msg?: string;
            port?: number;
            management_port?: number;
          };
          if (
            entry.msg === 'prediction service listening' &&
            entry.port !== undefined &&
            entry.management_port !== undefined &&
            ++listening === workers
          ) {
            clearTimeout(timer);
            resolve({
              child,
              url: `http://127.0.0.1:${entry.port}`,
              port: entry.port,
              managementUrl: `http://127.0.0.1:${entry.management_port}`,
              managementPort: entry.management_port,
              logs,
              exited,
              stop,
            });
          }
        } catch {
          // not a JSON log line
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => {
      logs.push(c.toString());
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited early (${String(code)}):\n${logs.join('')}`));
    });
  });
}

export interface LoadResult {
  readonly requests: number;
  /** Non-200 answers and connection errors, with when they happened. */
  readonly failures: { at: number; status: number | string }[];
  /** Distinct model versions seen in answers, in first-seen order. */
  readonly versions: string[];
}

/**
 * `concurrency` loops POSTing one record each until stopped; every answer must be a 200.
 * A short pause per request keeps CPU for the registry and the trainer on a small machine.
 */
export function steadyLoad(
  url: string,
  body: unknown,
  concurrency = 3,
  pauseMs = 5,
): { stop: () => Promise<LoadResult> } {
  let running = true;
  let requests = 0;
  const failures: { at: number; status: number | string }[] = [];
  const versions: string[] = [];
  const payload = JSON.stringify(body);
  const loop = async (): Promise<void> => {
    while (running) {
      requests++;
      try {
        const res = await fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payload,
          signal: AbortSignal.timeout(5000),
        });
        const json = (await res.json()) as { model?: { version?: string } };
        if (res.status !== 200) failures.push({ at: Date.now(), status: res.status });
        const version = json.model?.version;
        if (version !== undefined && !versions.includes(version)) {
          versions.push(version);
        }
      } catch (error) {
        failures.push({ at: Date.now(), status: String(error) });
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  const halt = (): void => {
    running = false;
  };
  liveLoads.add(halt);
  return {
    stop: async () => {
      halt();
      liveLoads.delete(halt);
      await Promise.all(loops);
      return { requests, failures, versions };
    },
  };
}

/** Sum of the samples of `name` whose labels include `labels` (Prometheus text format). */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    const labelText = match[2] ?? '';
    const ok = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`));
    if (ok) sum += Number(match[3]);
  }
  return sum;
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export async function getText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return res.text();
}

/** Polls `check` every `everyMs` until it returns true; returns the elapsed ms. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 25,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}
