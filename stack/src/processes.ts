/**
 * Child processes of the stack when it runs without Docker (`pnpm run stack`, the image and
 * twin tests): each in its own process group (so a stop reaches the children it forks: node
 * cluster workers, gunicorn workers), its output in a log file, stopped with SIGTERM and, after
 * a grace period, SIGKILL.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
}

export interface RunningProcess {
  readonly spec: ProcessSpec;
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export class StackProcessError extends Error {
  readonly code = 'STACK_PROCESS_FAILED';
}

export function startProcess(spec: ProcessSpec): RunningProcess {
  const log = openSync(spec.logPath, 'a');
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: { ...spec.env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
    // Not startable (missing program): the shell's "command not found".
    child.once('error', () => {
      done = true;
      resolve(127);
    });
  });
  const pid = child.pid ?? -1;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  return {
    spec,
    pid,
    exited,
    hasExited: () => done,
    logTail: (lines = 20) => {
      try {
        return readFileSync(spec.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    stop: async (graceMs = 10_000) => {
      if (done || pid < 0) return;
      signal('SIGTERM');
      const timer = setTimeout(() => {
        signal('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
      // Children that outlived their parent (same group) go too.
      signal('SIGKILL');
    },
  };
}

/** Polls `url` until `ok(status)`; fails early when the process exits. */
export async function waitForHttp(
  url: string,
  proc: RunningProcess,
  timeoutMs: number,
  ok: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) {
      throw new StackProcessError(
        `${proc.spec.name} exited before ${url} answered; last log lines:\n${proc.logTail()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (ok(response.status)) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new StackProcessError(
    `${proc.spec.name}: ${url} not ready after ${timeoutMs} ms; last log lines:\n${proc.logTail()}`,
  );
}

/** Waits for a one-shot process and fails unless it exits 0. */
export async function waitForSuccess(proc: RunningProcess, timeoutMs: number): Promise<void> {
  const code = await Promise.race([proc.exited, sleep(timeoutMs).then(() => 'timeout' as const)]);
  if (code === 0) return;
  if (code === 'timeout') await proc.stop();
  throw new StackProcessError(
    `${proc.spec.name} ${code === 'timeout' ? `did not finish in ${timeoutMs} ms` : `exited with ${String(code)}`}; last log lines:\n${proc.logTail()}`,
  );
}
