/**
 * Listening and graceful shutdown: on SIGTERM/SIGINT stop accepting, let in-flight requests
 * finish (idle keep-alive sockets are closed as they become idle), run cleanup, exit 0. If
 * draining takes longer than the deadline, remaining sockets are cut and the exit code is 1
 * so the supervisor sees that requests were lost.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface RunningServer {
  readonly server: http.Server;
  readonly port: number;
  /** Idempotent; resolves with the exit code to use. */
  shutdown(reason: string): Promise<number>;
}

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly shutdownTimeoutS: number;
  readonly logger: Logger;
  /** Cleanup after the server has closed (stop polling, flush sinks). */
  readonly onClosed?: () => Promise<void>;
}

export async function serve(
  handler: http.RequestListener,
  options: ServeOptions,
): Promise<RunningServer> {
  const { logger } = options;
  const server = http.createServer(handler);
  // Slightly above typical load-balancer idle timeouts, so the LB closes first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<number> | undefined;
  function shutdown(reason: string): Promise<number> {
    closing ??= new Promise<number>((resolve) => {
      logger.info(
        { reason, deadline_s: options.shutdownTimeoutS },
        'shutting down: draining in-flight requests',
      );
      let code = 0;
      const sweeper = setInterval(() => {
        server.closeIdleConnections();
      }, 50);
      const deadline = setTimeout(() => {
        code = 1;
        logger.warn('shutdown deadline reached: closing remaining connections');
        server.closeAllConnections();
      }, options.shutdownTimeoutS * 1000);
      server.close(() => {
        clearInterval(sweeper);
        clearTimeout(deadline);
        const cleanup = options.onClosed?.() ?? Promise.resolve();
        cleanup
          .catch((error: unknown) => {
            logger.error({ err: error }, 'cleanup after close failed');
          })
          .finally(() => {
            logger.info({ code }, 'server closed');
            resolve(code);
          });
      });
    });
    return closing;
  }
  return { server, port, shutdown };
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
