/**
 * The simulator's keep-alive client against a real node:http server that reproduces the
 * idle-timeout race on purpose: it closes a kept-alive connection just as the next request
 * arrives on it (as a server does whose keep-alive timer fires while the request is in
 * flight), which fetch reports as a failed request.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { createHttpClient } from './http-client';

interface Harness {
  readonly server: Server;
  readonly url: string;
  readonly seen: { requests: number; connections: number; closedAt: number[] };
  close(): Promise<void>;
}

/** `resetWhen(n, socketRequest)`: destroy the socket instead of answering request n. */
async function startServer(
  resetWhen: (request: number, onSocket: number) => boolean,
): Promise<Harness> {
  const seen = { requests: 0, connections: 0, closedAt: [] as number[] };
  const perSocket = new WeakMap<Socket, number>();
  const server = createServer((req, res) => {
    seen.requests++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (resetWhen(seen.requests, n)) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ n: seen.requests }));
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket: Socket) => {
    seen.connections++;
    socket.on('close', () => seen.closedAt.push(Date.now()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const post = { method: 'POST' as const, body: '{"a":1}', timeoutMs: 5000 };

describe('simulator HTTP client', () => {
  it('sends a request again once when its reused keep-alive socket is closed under it', async () => {
    // The second request, the first on a reused socket, meets a closing connection.
    const h = await startServer((request, onSocket) => request === 2 && onSocket === 2);
    const client = createHttpClient();
    try {
      const first = await client.request(`${h.url}/predict`, post);
      const second = await client.request(`${h.url}/predict`, post);
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(JSON.parse(second.body)).toEqual({ n: 3 });
      expect(client.retriedAfterReset()).toBe(1);
      expect(h.seen).toMatchObject({ requests: 3, connections: 2 });
    } finally {
      client.close();
      await h.close();
    }
  });

  it('does not retry a reset on a fresh connection, nor more than once', async () => {
    const fresh = await startServer((_request, onSocket) => onSocket === 1);
    const client = createHttpClient();
    try {
      await expect(client.request(`${fresh.url}/predict`, post)).rejects.toMatchObject({
        code: 'ECONNRESET',
      });
      expect(fresh.seen.requests).toBe(1);
      expect(client.retriedAfterReset()).toBe(0);
    } finally {
      client.close();
      await fresh.close();
    }
    // Every reused socket is reset, and the retry's new connection too.
    const always = await startServer((request) => request >= 2);
    const again = createHttpClient();
    try {
      await again.request(`${always.url}/predict`, post);
      await expect(again.request(`${always.url}/predict`, post)).rejects.toMatchObject({
        code: 'ECONNRESET',
      });
      expect(always.seen.requests).toBe(3);
      expect(again.retriedAfterReset()).toBe(1);
    } finally {
      again.close();
      await always.close();
    }
  });

  it('closes an idle keep-alive connection before the server would (idleTimeoutMs)', async () => {
    const h = await startServer(() => false);
    const client = createHttpClient({ idleTimeoutMs: 300 });
    try {
      await client.request(`${h.url}/predict`, post);
      const answeredAt = Date.now();
      const deadline = answeredAt + 4000; // the server's own timeout is 5 s
      while (h.seen.closedAt.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(h.seen.closedAt).toHaveLength(1);
      expect((h.seen.closedAt[0] ?? Infinity) - answeredAt).toBeLessThan(4000);
    } finally {
      client.close();
      await h.close();
    }
  });

  it('opens at most maxConnections connections; the other requests wait for one', async () => {
    let open = 0;
    let most = 0;
    const server = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.end('{}'), 20);
    });
    server.on('connection', (socket: Socket) => {
      most = Math.max(most, ++open);
      socket.on('close', () => open--);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = createHttpClient({ maxConnections: 4 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => client.request(`http://127.0.0.1:${port}/x`, post)),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(most).toBe(4);
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a request that gets no answer in time fails as a TimeoutError', async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = createHttpClient();
    try {
      await expect(
        client.request(`http://127.0.0.1:${port}/predict`, { ...post, timeoutMs: 200 }),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
