/**
 * Listening, per-client limits (connections and timeouts, see ServerLimits) and graceful
 * shutdown for the service's servers (the public API and the management port): on SIGTERM/SIGINT stop accepting, let in-flight requests finish (idle
 * keep-alive sockets are closed as they become idle), run cleanup, exit 0. If draining takes
 * longer than the deadline, remaining sockets are cut and the exit code is 1 so the
 * supervisor sees that requests were lost.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { guardConnections } from './connection-guard';
import type { ConnectionEvents, ConnectionPolicy } from './connection-guard';

/** One server to start: what it serves and where. */
export interface Endpoint {
  /** For logs ("public", "management"). */
  readonly name: string;
  readonly handler: http.RequestListener;
  readonly port: number;
  readonly host: string;
  /**
   * Largest body the handler accepts. A request sent with `Expect: 100-continue` and a larger
   * Content-Length gets its 413 without `100 Continue`, so the client never sends the body.
   */
  readonly maxBodyBytes?: number;
  readonly limits: ServerLimits;
  /** Metrics hooks for the connection guard. */
  readonly events?: ConnectionEvents;
}

/** What one client may hold: connections (connection-guard.ts) and time. */
export interface ServerLimits extends ConnectionPolicy {
  /** To send the request headers (slowloris), else 408 and close. */
  readonly headersTimeoutS: number;
  /** To send the whole request, body included (a trickled body), else 408 and close. */
  readonly requestTimeoutS: number;
  /** An idle keep-alive connection stays open this long. */
  readonly keepAliveTimeoutS: number;
}

/** How much longer than it announces the server keeps an idle keep-alive connection. */
export const KEEP_ALIVE_GRACE_MS = 1000;

export interface RunningServer {
  /** In the order of the endpoints. */
  readonly servers: readonly http.Server[];
  /** Bound ports, in the order of the endpoints (differs from the request when it was 0). */
  readonly ports: readonly number[];
  /** Idempotent; resolves with the exit code to use. */
  shutdown(reason: string): Promise<number>;
}

export interface ServeOptions {
  readonly shutdownTimeoutS: number;
  readonly logger: Logger;
  /**
   * Cleanup after every server has closed (stop polling, flush sinks), to be done by
   * `deadline` (Unix ms): the drain deadline, or at least 1 s from now if draining used it up.
   */
  readonly onClosed?: (deadline: number) => Promise<void>;
}

function listen(server: http.Server, endpoint: Endpoint): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint.port, endpoint.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Drains one server; resolves true if it closed before the deadline. */
function drain(server: http.Server, deadline: Promise<void>): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let done = false;
    const sweeper = setInterval(() => {
      server.closeIdleConnections();
    }, 50);
    void deadline.then(() => {
      if (done) return;
      server.closeAllConnections();
      resolve(false);
    });
    server.close(() => {
      done = true;
      clearInterval(sweeper);
      resolve(true);
    });
  });
}

export async function serve(
  endpoints: readonly Endpoint[],
  options: ServeOptions,
): Promise<RunningServer> {
  const { logger } = options;
  const servers = endpoints.map((endpoint) => {
    const { limits } = endpoint;
    const server = http.createServer({
      headersTimeout: limits.headersTimeoutS * 1000,
      requestTimeout: limits.requestTimeoutS * 1000,
      // Node checks both timeouts every 30 s by default: a slowloris socket lived ~70 s.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutS * 500),
    });
    server.keepAliveTimeout = limits.keepAliveTimeoutS * 1000;
    // Answers announce `Keep-Alive: timeout=KEEP_ALIVE_TIMEOUT_S` and clients (Node's agent,
    // fetch/undici) close an idle connection by then; the server waits a grace second longer,
    // so a client reusing its connection at the last moment never meets a socket closed under
    // it (ECONNRESET on a POST, which clients do not retry). Node 24's default, made explicit.
    server.keepAliveTimeoutBuffer = KEEP_ALIVE_GRACE_MS;
    const handler = guardConnections(server, limits, endpoint.handler, endpoint.events);
    server.on('request', handler);
    const limit = endpoint.maxBodyBytes;
    if (limit !== undefined) {
      server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (!(Number(req.headers['content-length']) > limit)) res.writeContinue();
        handler(req, res);
      });
    }
    return server;
  });
  // Listen in a fixed order: in a cluster, workers share each port by the order of listen calls.
  const ports: number[] = [];
  for (const [i, endpoint] of endpoints.entries()) {
    ports.push(await listen(servers[i] as http.Server, endpoint));
  }

  let closing: Promise<number> | undefined;
  function shutdown(reason: string): Promise<number> {
    closing ??= (async () => {
      logger.info(
        { reason, deadline_s: options.shutdownTimeoutS },
        'shutting down: draining in-flight requests',
      );
      let timer: NodeJS.Timeout | undefined;
      const deadlineAt = Date.now() + options.shutdownTimeoutS * 1000;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.shutdownTimeoutS * 1000);
      });
      const drained = await Promise.all(servers.map((server) => drain(server, deadline)));
      clearTimeout(timer);
      const code = drained.every(Boolean) ? 0 : 1;
      if (code !== 0) logger.warn('shutdown deadline reached: closed remaining connections');
      try {
        await options.onClosed?.(Math.max(deadlineAt, Date.now() + 1000));
      } catch (error) {
        logger.error({ err: error }, 'cleanup after close failed');
      }
      logger.info({ code }, 'server closed');
      return code;
    })();
    return closing;
  }
  return { servers, ports, shutdown };
}

/** Wires SIGTERM/SIGINT to shutdown and exits with its code. A second signal is ignored. */
export function exitOnSignals(running: RunningServer): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    void running.shutdown(signal).then((code) => process.exit(code));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // After the first signal, swallow repeats (a terminal sends SIGINT to the whole group).
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
}
