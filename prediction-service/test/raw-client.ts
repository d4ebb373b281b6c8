/**
 * A client on a raw TCP socket, for what an HTTP client library will not do: send headers
 * and then too much, nothing, or an endless body, and report exactly what the server did —
 * what it answered, when, and whether it closed the connection.
 */
import http from 'node:http';
import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawExchange {
  /** Everything the server sent, as text. */
  readonly response: string;
  /** Status of the first final (non-1xx) response, if any. */
  readonly status: number | undefined;
  /** ms from connecting until that response started to arrive. */
  readonly answeredAfterMs: number | undefined;
  /** The server closed the connection (FIN or reset) before the deadline. */
  readonly closed: boolean;
  /** ms from connecting until the connection closed. */
  readonly closedAfterMs: number | undefined;
  /** Body bytes the client had written when it stopped. */
  readonly bodyBytesSent: number;
}

export interface RawRequest {
  readonly port: number;
  readonly host?: string;
  /** Request line and headers, without the blank line that ends them. */
  readonly head: string;
  /**
   * A buffer sent at once, 'endless' (64 KiB chunks of chunked encoding until the server
   * answers or closes), 'none' (headers only, then wait), or a buffer trickled one byte
   * every `everyMs`.
   */
  readonly body?:
    Buffer | 'endless' | 'none' | { readonly trickle: Buffer; readonly everyMs: number };
  /** Send the body only after `100 Continue` (or never, if the server answers first). */
  readonly waitForContinue?: boolean;
  /** Give up (and report `closed: false`) after this long. */
  readonly deadlineMs?: number;
  /** Source address, e.g. 127.0.0.2. */
  readonly localAddress?: string;
}

const FINAL_STATUS = /HTTP\/1\.1 ([2-5]\d\d) /;

export function rawExchange(request: RawRequest): Promise<RawExchange> {
  const started = Date.now();
  const body = request.body ?? 'none';
  return new Promise((resolve) => {
    const socket = net.connect({
      port: request.port,
      host: request.host ?? '127.0.0.1',
      ...(request.localAddress === undefined ? {} : { localAddress: request.localAddress }),
    });
    let response = '';
    let answeredAfterMs: number | undefined;
    let bodyBytesSent = 0;
    let bodyStarted = false;
    let finished = false;

    const finish = (closed: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const status = FINAL_STATUS.exec(response)?.[1];
      resolve({
        response,
        status: status === undefined ? undefined : Number(status),
        answeredAfterMs,
        closed,
        closedAfterMs: closed ? Date.now() - started : undefined,
        bodyBytesSent,
      });
    };
    const timer = setTimeout(() => {
      finish(false);
    }, request.deadlineMs ?? 5000);

    const chunk = Buffer.alloc(64 * 1024, 'x');
    const framed = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]);
    const pump = (): void => {
      while (!finished && answeredAfterMs === undefined) {
        bodyBytesSent += chunk.length;
        if (!socket.write(framed)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    const sendBody = (): void => {
      if (bodyStarted) return;
      bodyStarted = true;
      if (body === 'endless') pump();
      else if (Buffer.isBuffer(body)) {
        bodyBytesSent = body.length;
        socket.write(body);
      } else if (body !== 'none') {
        const drip = setInterval(() => {
          if (finished || bodyBytesSent >= body.trickle.length) {
            clearInterval(drip);
            return;
          }
          socket.write(body.trickle.subarray(bodyBytesSent, ++bodyBytesSent));
        }, body.everyMs);
      }
    };

    socket.on('connect', () => {
      socket.write(`${request.head}\r\n\r\n`);
      if (request.waitForContinue !== true) sendBody();
    });
    socket.on('data', (data: Buffer) => {
      response += data.toString('latin1');
      if (request.waitForContinue === true && response.startsWith('HTTP/1.1 100 ')) sendBody();
      if (answeredAfterMs === undefined && FINAL_STATUS.test(response)) {
        answeredAfterMs = Date.now() - started;
      }
    });
    socket.on('error', () => {
      finish(true);
    });
    socket.on('close', () => {
      finish(true);
    });
    socket.on('end', () => {
      finish(true);
    });
  });
}

/**
 * POSTs raw bytes with node:http and collects the answer (supertest would re-serialise a
 * Buffer sent with a JSON content type).
 */
export function postBytes(
  server: Server,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent: false, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
