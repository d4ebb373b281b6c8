/** The built model monitor as a process (tests): resolves once it logs its port. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

const MONITOR_MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');

export interface MonitorProcess {
  readonly url: string;
  readonly port: number;
  readonly logs: string[];
  stop(): Promise<void>;
}

export function startMonitor(env: Record<string, string>): Promise<MonitorProcess> {
  const child: ChildProcess = spawn(process.execPath, [MONITOR_MAIN], {
    env: { PATH: process.env['PATH'] ?? '', MONITOR_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`monitor did not start:\n${logs.join('')}`));
    }, 30_000);
    child.stderr?.on('data', (c: Buffer) => logs.push(c.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        logs.push(line + '\n');
        let entry: { msg?: string; port?: number } = {};
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          // not a JSON log line
        }
        if (entry.msg === 'model monitor listening' && entry.port !== undefined) {
          clearTimeout(timer);
          resolve({ url: `http://127.0.0.1:${entry.port}`, port: entry.port, logs, stop });
        }
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`monitor exited early:\n${logs.join('')}`));
    });
  });
}
