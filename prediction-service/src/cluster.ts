/**
 * WEB_CONCURRENCY > 1: a primary process forks workers that share the port (node:cluster).
 * The primary serves no HTTP; it aggregates metrics for whichever worker receives a /metrics
 * scrape, relays admin reloads to every worker, restarts crashed workers, and on
 * SIGTERM/SIGINT asks every worker to drain and exits once they have.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';

const METRICS_REQ = 'wine:metrics-req';
const METRICS_RES = 'wine:metrics-res';
const RELOAD_ALL = 'wine:reload-all';
const RELOAD = 'wine:reload';

interface Message {
  type: string;
  id?: number;
  body?: string;
  error?: string;
}

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as Message).type === 'string';
}

export function runPrimary(options: {
  workers: number;
  shutdownTimeoutS: number;
  logger: Logger;
}): void {
  const { logger } = options;
  const aggregator = new AggregatorRegistry();
  let shuttingDown = false;
  let worstExit = 0;
  const restarts: number[] = [];

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      if (message.type === METRICS_REQ) {
        aggregator
          .clusterMetrics()
          .then((body) => worker.send({ type: METRICS_RES, id: message.id, body }))
          .catch((error: unknown) =>
            worker.send({ type: METRICS_RES, id: message.id, error: String(error) }),
          );
      } else if (message.type === RELOAD_ALL) {
        for (const other of Object.values(cluster.workers ?? {})) {
          if (other !== undefined && other !== worker && other.isConnected())
            other.send({ type: RELOAD });
        }
      }
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    // A worker killed by the forwarded SIGTERM itself had not installed its handler yet:
    // still starting, nothing in flight, nothing lost.
    const stoppedWhileStarting = shuttingDown && signal === 'SIGTERM';
    if (code !== 0 && !stoppedWhileStarting) worstExit = 1;
    if (shuttingDown) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info({ code: worstExit }, 'all workers stopped');
        process.exit(worstExit);
      }
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && (restarts[0] ?? now) < now - 60_000) restarts.shift();
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting a new one');
    if (restarts.length > options.workers * 5) {
      logger.fatal('workers keep dying (over 5 restarts per worker in a minute); giving up');
      process.exit(1);
    }
    fork();
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'primary: stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(
      () => {
        logger.error('workers did not stop in time; killing them');
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
        process.exit(1);
      },
      (options.shutdownTimeoutS + 5) * 1000,
    ).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  logger.info({ workers: options.workers }, 'primary: starting workers');
  for (let i = 0; i < options.workers; i++) fork();
}

/** Worker side: metrics aggregated by the primary, and admin reloads relayed to siblings. */
export function workerBridge(registry: Registry, onReloadRequest: () => void) {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's worker-side listener that answers the primary.
  new AggregatorRegistry();
  let nextId = 0;
  const pending = new Map<
    number,
    { resolve: (body: string) => void; reject: (e: Error) => void }
  >();
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === METRICS_RES && message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.body ?? '');
    } else if (message.type === RELOAD) {
      onReloadRequest();
    }
  });
  return {
    collectMetrics: (): Promise<{ contentType: string; body: string }> =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the cluster primary did not answer the metrics request within 5 s'));
        }, 5000);
        pending.set(id, {
          resolve: (body) => {
            clearTimeout(timer);
            resolve({ contentType: registry.contentType, body });
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        process.send?.({ type: METRICS_REQ, id });
      }),
    broadcastReload: (): void => {
      process.send?.({ type: RELOAD_ALL });
    },
  };
}
