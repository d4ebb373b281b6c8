/**
 * The process twin's dealings with the machine: output, ports, OS users, the mirrored mount
 * folders, process groups and health probes.
 */
import { execFile } from 'node:child_process';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Health, ProcessService } from './plan';

const run = promisify(execFile);

export class StackError extends Error {
  constructor(
    readonly code:
      | 'STACK_PORT_IN_USE'
      | 'STACK_SERVICE_FAILED'
      | 'STACK_NOT_READY'
      | 'STACK_DATA_SERVICE'
      | 'STACK_PROGRAM_MISSING',
    message: string,
  ) {
    super(message);
  }
}

export interface Output {
  /** A line of the stack's own (status, errors). */
  status(line: string): void;
  /** A line a service printed. */
  log(service: string, line: string): void;
}

const COLORS = [36, 33, 32, 35, 34, 91, 92, 93, 94, 95, 96];

/** foreman-style output: `name | line`, one colour per service when `color`. */
export function consoleOutput(names: readonly string[], color: boolean, showLogs: boolean): Output {
  const width = Math.max(5, ...names.map((n) => n.length));
  const paint = (name: string, text: string) => {
    if (!color) return text;
    const code = COLORS[Math.max(0, names.indexOf(name)) % COLORS.length] ?? 36;
    return `\u001b[${code}m${text}\u001b[0m`;
  };
  return {
    status: (line) => {
      process.stdout.write(
        `${color ? '\u001b[1m' : ''}stack${' '.repeat(width - 5)} |${color ? '\u001b[0m' : ''} ${line}\n`,
      );
    },
    log: (service, line) => {
      if (showLogs)
        process.stdout.write(`${paint(service, `${service.padEnd(width)} |`)} ${line}\n`);
    },
  };
}

/** Whether something accepts TCP connections on host:port. */
export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

/** Whether this process could listen on host:port now. */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

export function osUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid === undefined || gid === undefined
      ? undefined
      : { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/** The OS user a service runs as: PostgreSQL refuses root, so root hands it to `postgres`. */
export function identity(service: ProcessService): { uid: number; gid: number } | undefined {
  if (service.runAsUser === undefined || process.getuid?.() !== 0) return undefined;
  const user = osUser(service.runAsUser);
  if (user === undefined) {
    throw new StackError(
      'STACK_DATA_SERVICE',
      `${service.name}: PostgreSQL refuses to run as root and there is no OS user ${service.runAsUser}; run as another user or create it (sudo adduser --system ${service.runAsUser})`,
    );
  }
  return user;
}

export function chownTree(dir: string, owner: { uid: number; gid: number } | undefined): void {
  if (owner === undefined) return;
  chownSync(dir, owner.uid, owner.gid);
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (lstatSync(p).isDirectory()) chownTree(p, owner);
    else chownSync(p, owner.uid, owner.gid);
  }
}

function linkOrCopy(source: string, target: string, rewrite: (text: string) => string): void {
  mkdirSync(path.dirname(target), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  if (statSync(source).isDirectory()) {
    mkdirSync(target);
    for (const entry of readdirSync(source)) {
      linkOrCopy(path.join(source, entry), path.join(target, entry), rewrite);
    }
    return;
  }
  const text = readFileSync(source, 'utf8');
  const rewritten = /\.(ya?ml|json|ini|conf|toml|txt)$/.test(source) ? rewrite(text) : text;
  if (rewritten === text) symlinkSync(source, target);
  else writeFileSync(target, rewritten);
}

/** The service's container paths under its root: bind mounts (config rewritten), volumes, secrets. */
export function materialize(
  service: ProcessService,
  projectEnv: Readonly<Record<string, string>>,
): void {
  mkdirSync(service.root, { recursive: true });
  // Parents before children, as Docker mounts them (grafana-data, then dashboards inside it).
  const ordered = [...service.mounts].sort((a, b) => a.target.length - b.target.length);
  for (const mount of ordered) {
    const target = path.join(service.root, mount.target);
    if (mount.kind === 'volume') {
      mkdirSync(mount.source, { recursive: true });
      mkdirSync(path.dirname(target), { recursive: true });
      rmSync(target, { recursive: true, force: true });
      symlinkSync(mount.source, target);
    } else if (!existsSync(mount.source)) {
      throw new StackError(
        'STACK_SERVICE_FAILED',
        `${service.name}: mounted file ${mount.source} does not exist`,
      );
    } else {
      linkOrCopy(mount.source, target, service.rewrite);
    }
  }
  for (const secret of service.secrets) {
    const target = path.join(service.root, secret.target);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, projectEnv[secret.variable] ?? '', { mode: 0o600 });
  }
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

export function describeHealth(health: Health): string {
  if (health.kind === 'http') return `GET ${health.url}`;
  if (health.kind === 'command') return `health check ${health.argv.join(' ').slice(0, 80)}`;
  return 'no health check';
}

export async function probe(health: Health, service: ProcessService): Promise<boolean> {
  if (health.kind === 'http') {
    try {
      const res = await fetch(health.url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }
  if (health.kind === 'command') {
    const [program = '', ...args] = health.argv;
    try {
      await run(program, args, { cwd: service.cwd, env: { ...service.env }, timeout: 5000 });
      return true;
    } catch {
      return false;
    }
  }
  return true;
}
