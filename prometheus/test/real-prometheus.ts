/**
 * Prometheus and Alertmanager from the distribution's packages, started by a test on
 * ephemeral ports in a temp dir, with THIS repository's rule files: the only change is that
 * every `for:` is shortened (production waits minutes; a test cannot) and scrapes and rule
 * evaluations run every second.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../packages/mlflow-client/test/real-services';
import { PROMETHEUS_DIR, findTool } from './tools';

export interface RunningTool {
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

async function waitReady(
  url: string,
  child: ChildProcess,
  log: string,
  timeoutMs = 30_000,
): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null)
      throw new Error(`exited (${child.exitCode}):\n${readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready in ${timeoutMs} ms:\n${readFileSync(log, 'utf8').slice(-2000)}`);
}

/** Starts the binary logging into `dir`, waits for /-/ready; on failure stops it and throws. */
async function launch(
  binary: string,
  args: string[],
  dir: string,
  port: number,
): Promise<RunningTool> {
  const log = path.join(dir, 'log');
  const out = openSync(log, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', out, out] });
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child, dir);
  await waitReady(url, child, log).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url, dir, stop };
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<boolean>((resolve) => {
        child.once('exit', () => {
          resolve(true);
        });
      });
      child.kill('SIGTERM');
      const timeout = new Promise<boolean>((resolve) => {
        setTimeout(() => {
          resolve(false);
        }, 5000).unref();
      });
      const done = await Promise.race([exited, timeout]);
      if (!done) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Alertmanager with `config` (YAML text), clustering off. */
export async function startAlertmanager(config: string): Promise<RunningTool> {
  const binary = findTool('alertmanager');
  if (binary === undefined) throw new Error('prometheus-alertmanager not found');
  const dir = mkdtempSync(path.join(tmpdir(), 'wine-am-'));
  writeFileSync(path.join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  return launch(
    binary,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    dir,
    port,
  );
}

/** The repository's rule files with every `for:` set to `forDuration`. */
export function shortenedRules(forDuration: string): Record<string, string> {
  const dir = path.join(PROMETHEUS_DIR, 'rules');
  return Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      readFileSync(path.join(dir, f), 'utf8').replace(/^(\s+)for: \S+$/gm, `$1for: ${forDuration}`),
    ]),
  );
}

/** Prometheus scraping `targets` (job → host:port list) every second, with the repository's rules. */
export async function startPrometheus(options: {
  targets: Record<string, string[]>;
  alertmanager?: string;
  forDuration?: string;
}): Promise<RunningTool> {
  const binary = findTool('prometheus');
  if (binary === undefined) throw new Error('prometheus not found');
  const dir = mkdtempSync(path.join(tmpdir(), 'wine-prom-'));
  const rules = shortenedRules(options.forDuration ?? '1s');
  for (const [file, text] of Object.entries(rules)) writeFileSync(path.join(dir, file), text);
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '900ms' },
    rule_files: Object.keys(rules),
    ...(options.alertmanager === undefined
      ? {}
      : {
          alerting: {
            alertmanagers: [
              { static_configs: [{ targets: [options.alertmanager.replace(/^https?:\/\//, '')] }] },
            ],
          },
        }),
    scrape_configs: Object.entries(options.targets).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  // JSON is YAML: no serializer needed.
  writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  return launch(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    dir,
    port,
  );
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** An instant query; throws on a PromQL error. */
export async function promQuery(url: string, expr: string): Promise<Sample[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: Sample[] };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}
