/**
 * A Python peer kept running between requests, for measurements interleaved round by round
 * with ours (both sides then share whatever else the machine is doing at the time): one
 * request line in on stdin, one JSON line out on stdout. The peer prints one JSON line first
 * (its versions), or `{"available": false, "reason": ...}` when it cannot run.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT, pythonCommand } from './common';

export interface LinePeer {
  /** The peer's first line (versions, cores). */
  readonly info: Record<string, unknown>;
  /** Sends one request line and resolves with the peer's JSON answer to it. */
  ask(line: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export type LinePeerStart = { peer: LinePeer } | { peer: 'unavailable'; reason: string };

export async function startLinePeer(
  script: string,
  args: string[],
  python: string = pythonCommand(),
): Promise<LinePeerStart> {
  const file = path.join(ROOT, 'bench', 'python', script);
  const child = spawn(python, [file, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => {
      resolve();
    });
  });
  const failed = new Promise<Error>((resolve) => {
    child.once('error', resolve);
    child.once('close', (code) => {
      resolve(new Error(`${python} ${script} exited with code ${code ?? 'null'}`));
    });
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const first = await Promise.race([lines.next(), failed]);
    if (first instanceof Error) throw first;
    if (first.done === true) throw new Error(`${python} ${script} closed its output`);
    return JSON.parse(first.value) as Record<string, unknown>;
  };
  const close = async (): Promise<void> => {
    child.stdin.end();
    await exited;
  };
  try {
    const info = await next();
    if (info['available'] === false) {
      await close();
      return { peer: 'unavailable', reason: String(info['reason']) };
    }
    return {
      peer: {
        info,
        ask: (line) => {
          child.stdin.write(`${line}\n`);
          return next();
        },
        close,
      },
    };
  } catch (error) {
    child.kill();
    const reason = error instanceof Error ? error.message : String(error);
    return { peer: 'unavailable', reason: `${python} ${script}: ${reason}` };
  }
}
