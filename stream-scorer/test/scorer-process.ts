/**
 * The built stream scorer (dist/main.js) as a real child process: start it with an
 * environment, wait for its "running" log line, read its metrics, signal it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REDIS_URL } from './redis';
import type { TestStreams } from './redis';

export const SCORER_MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');

export interface ScorerProcess {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  readonly logs: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  metric(name: string, labels?: string): Promise<number>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startScorer(
  streams: TestStreams,
  consumer: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<ScorerProcess> {
  const child = spawn(process.execPath, [SCORER_MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      REDIS_URL,
      STREAM_INPUT: streams.input,
      STREAM_OUTPUT: streams.output,
      STREAM_DEAD_LETTER: streams.deadLetter,
      STREAM_GROUP: streams.group,
      STREAM_CONSUMER: consumer,
      STREAM_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill('SIGKILL');
      reject(new Error(`stream scorer did not start in ${timeoutMs} ms:\n${logs.join('')}`));
    }, timeoutMs);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`stream scorer exited (${String(code)}) before running:\n${logs.join('')}`));
    });
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        logs.push(line + '\n');
        let entry: { msg?: string; metrics_port?: number };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.msg === 'stream scorer running' && entry.metrics_port !== undefined) {
          clearTimeout(timer);
          const metricsUrl = `http://127.0.0.1:${entry.metrics_port}`;
          resolve({
            child,
            metricsUrl,
            logs,
            exited,
            kill,
            async metric(name, labels = '') {
              const text = await (await fetch(`${metricsUrl}/metrics`)).text();
              const found = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
              return found === undefined ? NaN : Number(found.split(' ')[1]);
            },
          });
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      logs.push(chunk.toString());
    });
  });
}
