/**
 * The simulator's HTTP client (node:http/https, one keep-alive agent per target), written to
 * avoid the keep-alive race that reset a share of a long simulation's requests: a server
 * closes a connection that has been idle for its keep-alive timeout (the prediction
 * service: KEEP_ALIVE_TIMEOUT_S, 5 s by default) at the moment the client sends the next
 * request on it, and the request dies with ECONNRESET or "socket hang up".
 *
 * - Idle sockets are closed by the client first: after `idleTimeoutMs` (default 2 s), or the
 *   server's `Keep-Alive: timeout=N` hint less one second, whichever is shorter.
 * - At most `maxConnections` (default 64) connections at once; more requests wait for one.
 *   Delayed feedback is not bounded by the simulation's --concurrency, and a slow service
 *   would otherwise face hundreds of connections from one address, over the per-address cap
 *   at which it refuses new ones (MAX_CONNECTIONS_PER_ADDRESS, 256).
 * - A request whose *reused* socket was reset or closed before any answer came is sent once
 *   more on a new connection: the server closed it as the request left, and never saw the
 *   request (what Node's documentation advises for `request.reusedSocket`). A reset on a
 *   fresh connection is an error as before.
 */
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Whole request, answer body included; the error is then named "TimeoutError". */
  readonly timeoutMs: number;
}

export interface HttpClient {
  request(url: string, request: HttpRequest): Promise<HttpResponse>;
  /** Requests sent again after a reset of a reused keep-alive socket (for tests and logs). */
  retriedAfterReset(): number;
  close(): void;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 2000;
export const DEFAULT_MAX_CONNECTIONS = 64;

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

function isReset(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && RESET_CODES.has(code);
}

export function createHttpClient(
  options: { readonly idleTimeoutMs?: number; readonly maxConnections?: number } = {},
): HttpClient {
  const agentOptions = {
    keepAlive: true,
    timeout: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    maxSockets: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  let retried = 0;

  const once = (
    url: URL,
    request: HttpRequest,
    deadline: number,
  ): Promise<{ response?: HttpResponse; error?: unknown; reused: boolean }> =>
    new Promise((resolve) => {
      const secure = url.protocol === 'https:';
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const req = (secure ? https : http).request(url, {
        method: request.method,
        agent: secure ? agents.https : agents.http,
        headers: {
          ...request.headers,
          ...(body === undefined ? {} : { 'content-length': String(body.length) }),
        },
      });
      let answered = false;
      const timer = setTimeout(
        () => {
          req.destroy(new TimeoutError(`no answer within ${request.timeoutMs} ms`));
        },
        Math.max(0, deadline - Date.now()),
      );
      const finish = (result: { response?: HttpResponse; error?: unknown }): void => {
        clearTimeout(timer);
        // reusedSocket is only meaningful for a request that got no answer at all.
        resolve({ ...result, reused: !answered && req.reusedSocket });
      };
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          finish({
            response: {
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            },
          });
        });
        res.on('error', (error) => {
          finish({ error });
        });
      });
      req.on('error', (error) => {
        finish({ error });
      });
      req.end(body);
    });

  return {
    async request(target, request) {
      const url = new URL(target);
      const deadline = Date.now() + request.timeoutMs;
      const first = await once(url, request, deadline);
      if (first.response !== undefined) return first.response;
      if (!(first.reused && isReset(first.error))) throw first.error;
      retried++;
      const second = await once(url, request, deadline);
      if (second.response !== undefined) return second.response;
      throw second.error;
    },
    retriedAfterReset: () => retried,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
