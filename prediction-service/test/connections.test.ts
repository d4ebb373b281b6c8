/**
 * What one client may hold (issue 13 item 1): connections per address and in total — idle
 * ones are closed first at a cap, as nginx does, busy ones never — and time (headers,
 * whole request, keep-alive idle). Over real loopback sockets against the real server setup;
 * 127.0.0.2 plays the well-behaved client next to the greedy 127.0.0.1.
 */
import http from 'node:http';
import net from 'node:net';
import { pino } from 'pino';
import { clientKey } from '../src/connection-guard';
import type { ConnectionEvents, ShedAction, ShedLimit } from '../src/connection-guard';
import { serve } from '../src/server';
import type { RunningServer, ServerLimits } from '../src/server';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';
import { rawExchange } from './raw-client';

let t: TestApp;
let cleanup: () => Promise<void>;
const running: RunningServer[] = [];

beforeAll(async () => {
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  await writeTinyModel(tmp.dir);
  t = await buildTestApp(tmp.dir);
});
afterAll(async () => {
  for (const r of running) await r.shutdown('test over');
  await cleanup();
});

const RELAXED: ServerLimits = {
  maxConnections: 1000,
  maxPerAddress: 0,
  headersTimeoutS: 30,
  requestTimeoutS: 60,
  keepAliveTimeoutS: 30,
};

interface Started {
  port: number;
  open: () => number;
  shed: Array<`${ShedAction}/${ShedLimit}`>;
}

async function start(limits: Partial<ServerLimits>): Promise<Started> {
  let open = 0;
  const shed: Started['shed'] = [];
  const events: ConnectionEvents = {
    opened: () => open++,
    closed: () => open--,
    shed: (action, limit) => shed.push(`${action}/${limit}`),
  };
  const r = await serve(
    [
      {
        name: 'public',
        handler: t.app,
        port: 0,
        host: '127.0.0.1',
        limits: { ...RELAXED, ...limits },
        events,
      },
    ],
    { shutdownTimeoutS: 1, logger: pino({ level: 'silent' }) },
  );
  running.push(r);
  return { port: r.ports[0] as number, open: () => open, shed };
}

/** Idle sockets from `localAddress`; `closed()` counts the ones the server has closed. */
async function idleSockets(port: number, n: number, localAddress = '127.0.0.1') {
  const sockets: net.Socket[] = [];
  let closed = 0;
  for (let i = 0; i < n; i++) {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    socket.on('error', () => undefined);
    socket.on('close', () => closed++);
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', () => {
        resolve();
      });
    });
    sockets.push(socket);
  }
  return {
    sockets,
    closed: () => closed,
    destroy: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

/** One POST /predict from `localAddress` on a fresh connection. */
function predict(port: number, localAddress = '127.0.0.2'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        path: '/predict',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(GOOD));
  });
}

const until = async (what: string, check: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('connection caps', () => {
  it('per address: a greedy client keeps at most its cap, its oldest idle sockets closed first; others get in', async () => {
    const server = await start({ maxPerAddress: 5 });
    const greedy = await idleSockets(server.port, 20);
    await until('server holds 5 of them', () => greedy.closed() === 15);
    // The survivors are the newest five: the oldest were closed to make room.
    expect(greedy.sockets.map((s) => s.destroyed)).toEqual([
      ...Array<boolean>(15).fill(true),
      ...Array<boolean>(5).fill(false),
    ]);
    expect(server.shed.filter((s) => s === 'closed_idle/per_address')).toHaveLength(15);
    expect(await predict(server.port, '127.0.0.2')).toBe(200);
    greedy.destroy();
  });

  it('per address: busy connections are never closed; a new one is refused instead', async () => {
    const server = await start({ maxPerAddress: 3 });
    // Three requests in progress: headers sent, body still owed.
    const busy = await Promise.all(
      [0, 1, 2].map(() =>
        idleSockets(server.port, 1).then((s) => {
          s.sockets[0]?.write(
            'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{',
          );
          return s;
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const extra = await idleSockets(server.port, 1);
    await until('the extra connection is refused', () => extra.closed() === 1);
    expect(busy.map((b) => b.closed())).toEqual([0, 0, 0]);
    expect(server.shed).toContain('refused/per_address');
    expect(await predict(server.port, '127.0.0.2')).toBe(200);
    for (const b of busy) b.destroy();
  });

  it('in total: at the cap an idle connection of anyone is closed so a newcomer gets in', async () => {
    const server = await start({ maxConnections: 10 });
    const crowd = await idleSockets(server.port, 10);
    await until('10 open', () => server.open() === 10);
    expect(await predict(server.port, '127.0.0.2')).toBe(200);
    await until('the oldest idle one was closed', () => crowd.closed() === 1);
    expect(crowd.sockets[0]?.destroyed).toBe(true);
    expect(server.shed).toEqual(['closed_idle/total']);
    crowd.destroy();
  });
});

describe('timeouts', () => {
  it('a slowloris client (headers one byte at a time) is answered 408 and closed after HEADERS_TIMEOUT_S', async () => {
    const server = await start({ headersTimeoutS: 1, requestTimeoutS: 10 });
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString()));
    socket.on('error', () => undefined);
    const head = 'POST /predict HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(1000);
    let i = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(head.charAt(i++ % head.length));
    }, 100);
    const started = Date.now();
    await new Promise<void>((resolve) =>
      socket.once('close', () => {
        resolve();
      }),
    );
    clearInterval(drip);
    expect(Date.now() - started).toBeLessThan(3500);
    expect(response).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a body trickled one byte at a time is cut off after REQUEST_TIMEOUT_S', async () => {
    const server = await start({ headersTimeoutS: 1, requestTimeoutS: 2 });
    const body = Buffer.from(JSON.stringify(GOOD));
    const answer = await rawExchange({
      port: server.port,
      head: `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}`,
      body: { trickle: body, everyMs: 100 },
      deadlineMs: 6000,
    });
    expect(answer.bodyBytesSent).toBeLessThan(body.length);
    expect(answer.closed).toBe(true);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(1900);
    expect(answer.closedAfterMs).toBeLessThan(4500);
    expect(answer.status === undefined || answer.status === 408).toBe(true);
  });

  it('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_S', async () => {
    const server = await start({ keepAliveTimeoutS: 1 });
    const body = JSON.stringify(GOOD);
    const answer = await rawExchange({
      port: server.port,
      head: `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}`,
      body: Buffer.from(body),
      deadlineMs: 4000,
    });
    expect(answer.status).toBe(200);
    expect(answer.response).toMatch(/Keep-Alive: timeout=1/);
    expect(answer.closed).toBe(true);
    // The announced second, plus the grace second (KEEP_ALIVE_GRACE_MS).
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(1800);
    expect(answer.closedAfterMs).toBeLessThan(2500);
  });

  it('a client reusing its keep-alive connection when the announced timeout runs out is answered', async () => {
    const server = await start({ keepAliveTimeoutS: 1 });
    const body = JSON.stringify(GOOD);
    const request = `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    let received = '';
    let closed = false;
    socket.on('data', (c: Buffer) => (received += c.toString()));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    const answers = (): number => received.split('HTTP/1.1 200').length - 1;
    const until = async (check: () => boolean, ms: number): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(request);
    await until(() => answers() === 1, 2000);
    expect(received).toMatch(/Keep-Alive: timeout=1/);
    // What a client honouring the announced timeout may do at the very end of it.
    await new Promise((r) => setTimeout(r, 1050));
    expect(closed).toBe(false);
    socket.write(request);
    await until(() => answers() === 2 || closed, 2000);
    expect(answers()).toBe(2);
    socket.destroy();
  });
});

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('%s → %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});
