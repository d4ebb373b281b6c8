/**
 * Runs a StackPlan: mirrors each service's mounts under the data directory, starts the
 * services in dependency order as compose does (`service_started`, `service_healthy`,
 * `service_completed_successfully`), streams every child's output prefixed with its name (and
 * into <data dir>/logs/<service>.log), restarts a service that exits per its compose restart
 * policy, and stops everything — dependents first, SIGTERM to each process group, SIGKILL
 * after the grace period — on stop().
 *
 * Restart policy (compose's `restart:`): `no` services are jobs that must exit 0 (migrate);
 * `unless-stopped` / `always` / `on-failure` services are restarted after an exponential delay
 * (0.5 s doubling, 30 s at most, reset after 10 s up), as the Docker daemon does — except that
 * five quick failures in a row (each up < 10 s) stop the whole stack with the service's last log
 * lines instead of looping for ever, and during start-up the first failure does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  describeHealth,
  identity,
  materialize,
  portAnswers,
  portFree,
  probe,
  signalGroup,
  StackError,
  type Output,
} from './host';
import type { ProcessService, ServicePlan } from './plan';
import { firstStartScripts, initPostgres, provisionFoundPostgres } from './postgres';

export { consoleOutput, StackError, type Output } from './host';

interface Child {
  readonly process: ChildProcess;
  readonly startedAt: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done: boolean;
}

type Phase =
  'waiting' | 'starting' | 'running' | 'healthy' | 'completed' | 'adopted' | 'failed' | 'stopped';

interface Entry {
  readonly service: ProcessService;
  phase: Phase;
  child: Child | undefined;
  readonly log: WriteStream;
  readonly tail: string[];
  quickFailures: number;
  readonly started: Deferred;
  readonly healthy: Deferred;
  readonly completed: Deferred;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export interface SupervisorOptions {
  readonly dataDir: string;
  readonly projectEnv: Readonly<Record<string, string>>;
  readonly output: Output;
  /** Start-up deadline per service health check. */
  readonly readyTimeoutMs?: number;
  /** SIGTERM → SIGKILL. */
  readonly graceMs?: number;
}

export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private stopping = false;
  private isStopping(): boolean {
    return this.stopping;
  }
  private readonly failure = deferred();
  private readonly readyTimeoutMs: number;
  private readonly graceMs: number;

  constructor(
    private readonly plan: readonly ServicePlan[],
    private readonly options: SupervisorOptions,
  ) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    this.graceMs = options.graceMs ?? 10_000;
    mkdirSync(path.join(options.dataDir, 'logs'), { recursive: true });
    // As root, PostgreSQL runs as the postgres user, which must reach its folders inside.
    if (process.getuid?.() === 0) {
      chmodSync(options.dataDir, statSync(options.dataDir).mode | 0o711);
    }
    for (const service of plan) {
      if (service.kind !== 'process') continue;
      this.entries.set(service.name, {
        service,
        phase: 'waiting',
        child: undefined,
        log: createWriteStream(path.join(options.dataDir, 'logs', `${service.name}.log`), {
          flags: 'a',
        }),
        tail: [],
        quickFailures: 0,
        started: deferred(),
        healthy: deferred(),
        completed: deferred(),
      });
    }
  }

  /** Rejects once the running stack fails for good (after start-up). */
  get failed(): Promise<void> {
    return this.failure.promise;
  }

  /** Process ids of every child still running (the test checks they are all gone). */
  pids(): number[] {
    return [...this.entries.values()].flatMap((e) =>
      e.child !== undefined && !e.child.done && e.child.process.pid !== undefined
        ? [e.child.process.pid]
        : [],
    );
  }

  adopted(): string[] {
    return [...this.entries.values()]
      .filter((e) => e.phase === 'adopted')
      .map((e) => e.service.name);
  }

  /** Checks ports, starts everything in dependency order; resolves when all are up. */
  async start(): Promise<void> {
    await this.checkPorts();
    // The first failure ends the start-up (the caller stops what runs); the rest settle quietly.
    await Promise.all([...this.entries.values()].map((entry) => this.bringUp(entry)));
  }

  private async checkPorts(): Promise<void> {
    const taken: string[] = [];
    for (const entry of this.entries.values()) {
      if (entry.service.data !== undefined) continue;
      for (const p of entry.service.ports) {
        if (!(await portFree(p.port, p.bind))) {
          taken.push(`${p.bind}:${p.port} (${entry.service.name})`);
        }
      }
    }
    if (taken.length > 0) {
      throw new StackError(
        'STACK_PORT_IN_USE',
        `port${taken.length > 1 ? 's' : ''} in use: ${taken.join(', ')}. Stop what listens there (\`ss -ltnp\` shows it; another \`pnpm run stack\` or \`docker compose up\`?), or start this stack on other ports with --port-offset 1000.`,
      );
    }
  }

  private async bringUp(entry: Entry): Promise<void> {
    const { service } = entry;
    try {
      for (const dep of service.dependsOn) {
        const other = this.entries.get(dep.service);
        if (other === undefined) continue;
        await (dep.condition === 'service_completed_successfully'
          ? other.completed.promise
          : dep.condition === 'service_healthy'
            ? other.healthy.promise
            : other.started.promise);
      }
      if (this.stopping) throw new StackError('STACK_SERVICE_FAILED', 'the stack is stopping');
      if (
        service.data !== undefined &&
        service.ports[0] !== undefined &&
        (await portAnswers(service.ports[0].port))
      ) {
        await this.adopt(entry, service.ports[0].port);
        return;
      }
      if (service.missingProgram !== undefined) {
        const { program, install } = service.missingProgram;
        throw new StackError(
          'STACK_PROGRAM_MISSING',
          `${service.name}: nothing answers on 127.0.0.1:${String(service.ports[0]?.port)} and ${program} is not installed here — ${install}`,
        );
      }
      materialize(service, this.options.projectEnv);
      if (service.postgres !== undefined)
        await initPostgres(service, (line) => {
          this.options.output.status(line);
        });
      this.spawn(entry);
      entry.started.resolve();
      if (service.oneShot) {
        const child = entry.child as Child;
        const { code, signal } = await child.exited;
        if (code !== 0) {
          throw new StackError(
            'STACK_SERVICE_FAILED',
            `${service.name} exited with ${signal ?? String(code)}; last log lines:\n${entry.tail.join('\n')}`,
          );
        }
        entry.phase = 'completed';
        this.options.output.status(`${service.name} completed`);
        entry.completed.resolve();
        entry.healthy.resolve();
        return;
      }
      await this.waitHealthy(entry);
      if (service.postgres !== undefined) await firstStartScripts(service);
      entry.phase = 'healthy';
      entry.healthy.resolve();
      this.options.output.status(
        `${service.name} ${service.health.kind === 'none' && service.data === undefined ? 'started' : 'ready'}${service.ports[0] ? ` on ${service.ports.map((p) => `${p.bind}:${p.port}`).join(', ')}` : ''}`,
      );
    } catch (error) {
      entry.phase = 'failed';
      const e = error instanceof Error ? error : new Error(String(error));
      entry.started.reject(e);
      entry.healthy.reject(e);
      entry.completed.reject(e);
      throw e;
    }
  }

  private async adopt(entry: Entry, port: number): Promise<void> {
    const { service } = entry;
    entry.phase = 'adopted';
    if (service.data === 'postgres')
      await provisionFoundPostgres(service, port, (line) => {
        this.options.output.status(line);
      });
    this.options.output.status(
      `${service.name}: using the ${service.data === 'postgres' ? 'PostgreSQL' : 'Redis'} already answering on 127.0.0.1:${port} (not started, not stopped by the stack)`,
    );
    entry.started.resolve();
    entry.healthy.resolve();
    entry.completed.resolve();
  }

  private spawn(entry: Entry): void {
    const { service } = entry;
    if (this.stopping)
      throw new StackError('STACK_SERVICE_FAILED', `${service.name}: the stack is stopping`);
    const [program = '', ...args] = service.argv;
    const owner = identity(service);
    mkdirSync(service.cwd, { recursive: true });
    const child = spawn(program, args, {
      cwd: service.cwd,
      env: { ...service.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(owner ?? {}),
    });
    const record: Child = {
      process: child,
      startedAt: Date.now(),
      done: false,
      exited: new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          record.done = true;
          resolve({ code, signal });
        });
        child.once('error', (error) => {
          record.done = true;
          this.line(entry, `cannot start ${program}: ${error.message}`);
          resolve({ code: 127, signal: null });
        });
      }),
    };
    entry.child = record;
    entry.phase = 'starting';
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) this.line(entry, l);
      });
      stream.on('end', () => {
        if (pending !== '') this.line(entry, pending);
      });
    }
    void record.exited.then((result) => this.onExit(entry, record, result));
  }

  private line(entry: Entry, line: string): void {
    entry.log.write(`${line}\n`);
    entry.tail.push(line);
    if (entry.tail.length > 30) entry.tail.shift();
    this.options.output.log(entry.service.name, line);
  }

  private async onExit(
    entry: Entry,
    child: Child,
    result: { code: number | null; signal: NodeJS.Signals | null },
  ): Promise<void> {
    if (this.stopping || entry.child !== child) return;
    const { service } = entry;
    if (service.oneShot) return; // bringUp reports it
    const how = result.signal ?? `code ${String(result.code)}`;
    if (entry.phase !== 'healthy') return; // waitHealthy reports it during start-up
    const upMs = Date.now() - child.startedAt;
    entry.quickFailures = upMs < 10_000 ? entry.quickFailures + 1 : 0;
    const policy = service.restart;
    const restarts =
      policy === 'always' ||
      policy === 'unless-stopped' ||
      (policy === 'on-failure' && result.code !== 0);
    if (!restarts || entry.quickFailures >= 5) {
      entry.phase = 'failed';
      const why = restarts
        ? `exited ${entry.quickFailures} times in a row within 10 s of starting`
        : `exited with ${how} (restart: ${policy})`;
      this.failure.reject(
        new StackError(
          'STACK_SERVICE_FAILED',
          `${service.name} ${why}; last log lines:\n${entry.tail.slice(-15).join('\n')}`,
        ),
      );
      return;
    }
    const delay = Math.min(30_000, 500 * 2 ** Math.max(0, entry.quickFailures - 1));
    this.options.output.status(
      `${service.name} exited with ${how}; restarting in ${(delay / 1000).toFixed(1)} s (restart: ${policy})`,
    );
    await sleep(delay);
    if (this.isStopping()) return;
    this.spawn(entry);
    try {
      await this.waitHealthy(entry);
      entry.phase = 'healthy';
      this.options.output.status(`${service.name} restarted`);
    } catch (error) {
      if (!this.isStopping())
        this.failure.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private async waitHealthy(entry: Entry): Promise<void> {
    const { service } = entry;
    const child = entry.child as Child;
    const deadline = Date.now() + this.readyTimeoutMs;
    const port = service.ports[0]?.port;
    const check = async (): Promise<boolean> => {
      if (service.data !== undefined && port !== undefined) return portAnswers(port);
      return probe(service.health, service);
    };
    // A service without a health check is up once it has survived a moment.
    if (service.health.kind === 'none' && service.data === undefined) {
      await sleep(1000);
      if (child.done) throw this.exitedError(entry, 'right after starting');
      entry.phase = 'running';
      return;
    }
    while (Date.now() < deadline) {
      if (this.stopping) return;
      if (child.done) throw this.exitedError(entry, 'before it was ready');
      if (await check()) return;
      await sleep(300);
    }
    throw new StackError(
      'STACK_NOT_READY',
      `${service.name} not ready after ${this.readyTimeoutMs / 1000} s (${describeHealth(service.health)}); last log lines:\n${entry.tail.slice(-15).join('\n')}`,
    );
  }

  private exitedError(entry: Entry, when: string): StackError {
    const exit = entry.child?.process.exitCode ?? entry.child?.process.signalCode ?? '?';
    return new StackError(
      'STACK_SERVICE_FAILED',
      `${entry.service.name} exited (${String(exit)}) ${when}; last log lines (all in ${path.join(this.options.dataDir, 'logs', `${entry.service.name}.log`)}):\n${entry.tail.slice(-15).join('\n')}`,
    );
  }

  /** Dependents first (reverse start order by depth), each SIGTERM → grace → SIGKILL. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Services still waiting for a dependency give up.
    const stopping = new StackError('STACK_SERVICE_FAILED', 'the stack is stopping');
    for (const entry of this.entries.values()) {
      entry.started.reject(stopping);
      entry.healthy.reject(stopping);
      entry.completed.reject(stopping);
    }
    const depth = new Map<string, number>();
    const depthOf = (name: string): number => {
      const known = depth.get(name);
      if (known !== undefined) return known;
      const deps = this.entries.get(name)?.service.dependsOn ?? [];
      const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((x) => depthOf(x.service)));
      depth.set(name, d);
      return d;
    };
    const levels = new Map<number, Entry[]>();
    for (const entry of this.entries.values()) {
      const d = depthOf(entry.service.name);
      levels.set(d, [...(levels.get(d) ?? []), entry]);
    }
    for (const d of [...levels.keys()].sort((a, b) => b - a)) {
      await Promise.all((levels.get(d) ?? []).map((e) => this.stopEntry(e)));
    }
    await Promise.all(
      [...this.entries.values()].map((e) => new Promise<void>((resolve) => e.log.end(resolve))),
    );
  }

  /** Stops at once: SIGKILL to every group (a second Ctrl-C). */
  kill(): void {
    for (const entry of this.entries.values()) {
      const pid = entry.child?.process.pid;
      if (pid !== undefined && entry.child?.done === false) signalGroup(pid, 'SIGKILL');
    }
  }

  private async stopEntry(entry: Entry): Promise<void> {
    const child = entry.child;
    const pid = child?.process.pid;
    if (child === undefined || pid === undefined) return;
    const wasRunning = !child.done;
    if (wasRunning) {
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        this.options.output.status(
          `${entry.service.name} did not stop within ${this.graceMs / 1000} s: SIGKILL`,
        );
        signalGroup(pid, 'SIGKILL');
      }, this.graceMs);
      await child.exited;
      clearTimeout(timer);
    }
    // Whatever it forked and left behind in its group goes too.
    signalGroup(pid, 'SIGKILL');
    entry.phase = 'stopped';
    if (wasRunning) this.options.output.status(`${entry.service.name} stopped`);
  }
}
