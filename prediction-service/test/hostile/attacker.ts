/**
 * One hostile client process for test/hostile-clients.integ.test.ts, run by Node directly
 * (type stripping; @wine/model from its build):
 *
 *   node attacker.ts <kind> <port> <durationMs> [count]
 *
 * kinds: flood (count idle sockets opened over 5 s, held), slowloris (count sockets sending
 * headers a byte at a time), trickle (count requests sending the body a byte at a time),
 * chunked (count clients each streaming endless chunked bodies, starting over 100 ms after
 * each refusal), wide (count clients each sending ~1 MiB of unknown keys in a closed loop). All from 127.0.0.1. Prints one JSON summary
 * line when the duration is over. Several processes are needed for floods above the
 * per-process open-file limit.
 */
import net from 'node:net';
import { EXAMPLE_WINE } from '@wine/model';

const [kind = '', portText = '', durationText = '', countText = ''] = process.argv.slice(2);
const port = Number(portText);
const deadline = Date.now() + Number(durationText);
const count = Number(countText);

const stats = {
  kind,
  opened: 0,
  connectErrors: 0,
  /** Connections the server closed before the deadline. */
  closedByServer: 0,
  /** ms from connecting until the server closed it (slowloris, trickle). */
  cutAfterMs: [] as number[],
  /** Final status → count. */
  statuses: {} as Record<string, number>,
  /** ms from the first body byte sent until the answer started (chunked, wide). */
  answerMs: [] as number[],
  maxResponseBytes: 0,
  maxBodyBytesSent: 0,
};
const sockets = new Set<net.Socket>();

function open(onConnect: (socket: net.Socket) => void): net.Socket {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
  sockets.add(socket);
  const started = Date.now();
  let connected = false;
  socket.on('connect', () => {
    connected = true;
    stats.opened++;
    onConnect(socket);
  });
  socket.on('error', () => {
    if (!connected) stats.connectErrors++;
  });
  socket.on('close', () => {
    sockets.delete(socket);
    if (connected && Date.now() < deadline) {
      stats.closedByServer++;
      stats.cutAfterMs.push(Date.now() - started);
    }
  });
  return socket;
}

/** Records the response's status and size once it is complete or the connection ends. */
function watchResponse(socket: net.Socket, sentAt: () => number, done: () => void): void {
  let text = '';
  let recorded = false;
  const record = (): void => {
    if (recorded) return;
    recorded = true;
    const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? (text === '' ? 'none' : 'garbled');
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    stats.maxResponseBytes = Math.max(stats.maxResponseBytes, text.length);
    done();
  };
  socket.on('data', (data: Buffer) => {
    if (text === '') stats.answerMs.push(Date.now() - sentAt());
    text += data.toString('latin1');
    const head = text.indexOf('\r\n\r\n');
    const length = /\r\nContent-Length: (\d+)\r\n/i.exec(text)?.[1];
    if (head >= 0 && length !== undefined && text.length >= head + 4 + Number(length)) {
      record();
      socket.destroy();
    }
  });
  socket.on('close', record);
}

const HEAD = 'POST /predict HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\n';

/**
 * Opens `count` sockets at an even pace over the first FLOOD_RAMP_MS and holds them: the
 * attack is holding idle sockets (which once exhausted the service's file descriptors), not
 * the connect rate, which belongs to a firewall or proxy.
 */
const FLOOD_RAMP_MS = 5000;

async function flood(): Promise<void> {
  const started = Date.now();
  let pending = 0;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const due = started + (i * FLOOD_RAMP_MS) / count;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    while (pending >= 500) await new Promise((r) => setTimeout(r, 1));
    pending++;
    const socket = open(() => undefined);
    const settle = (): void => {
      pending--;
    };
    socket.once('connect', settle);
    socket.once('error', settle);
  }
}

function slowly(socket: net.Socket, bytes: string, everyMs: number): void {
  let i = 0;
  const drip = setInterval(() => {
    if (socket.destroyed || i >= bytes.length) {
      clearInterval(drip);
      return;
    }
    socket.write(bytes.charAt(i++));
  }, everyMs);
}

function slowloris(): void {
  for (let i = 0; i < count; i++) {
    open((socket) => {
      slowly(socket, `${HEAD}X-Slow: ${'a'.repeat(10_000)}`, 200);
    });
  }
}

function trickle(): void {
  const body = JSON.stringify({ padding: 'b'.repeat(2000) });
  for (let i = 0; i < count; i++) {
    open((socket) => {
      socket.write(`${HEAD}Content-Length: ${body.length}\r\n\r\n`);
      slowly(socket, body, 200);
    });
  }
}

const CHUNKED_PAUSE_MS = 100;

/** Endless chunked bodies: how soon is each refused, and how much could be pushed first? */
function chunked(): void {
  const chunk = Buffer.alloc(64 * 1024, 'c');
  const framed = Buffer.concat([Buffer.from('10000\r\n'), chunk, Buffer.from('\r\n')]);
  const client = (): void => {
    if (Date.now() >= deadline) return;
    let sent = 0;
    let sentAt = 0;
    let answered = false;
    const socket = open((s) => {
      s.write(`${HEAD}Transfer-Encoding: chunked\r\n\r\n`);
      sentAt = Date.now();
      const pump = (): void => {
        while (!answered && !s.destroyed && Date.now() < deadline) {
          sent += chunk.length;
          if (!s.write(framed)) {
            s.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    watchResponse(
      socket,
      () => sentAt,
      () => {
        answered = true;
        stats.maxBodyBytesSent = Math.max(stats.maxBodyBytesSent, sent);
        // Start over shortly: one endless upload after another, not a connection storm.
        setTimeout(client, CHUNKED_PAUSE_MS);
      },
    );
  };
  for (let i = 0; i < count; i++) client();
}

/** ~1 MiB of distinct unknown keys around one valid record, again and again. */
function wide(): void {
  // Just under MAX_BODY_BYTES (1 MiB), so the keys are what gets it refused.
  const keys: Record<string, number> = {};
  for (let i = 0, size = 300; size < 1_000_000; i++) {
    keys[`unknown_${i}`] = i;
    size += `"unknown_${i}":${i},`.length;
  }
  const body = Buffer.from(JSON.stringify({ ...EXAMPLE_WINE, ...keys }));
  const client = (): void => {
    if (Date.now() >= deadline) return;
    let sentAt = 0;
    const socket = open((s) => {
      sentAt = Date.now();
      s.write(`${HEAD}Content-Length: ${body.length}\r\n\r\n`);
      s.write(body);
    });
    watchResponse(
      socket,
      () => sentAt,
      () => {
        stats.maxBodyBytesSent = Math.max(stats.maxBodyBytesSent, body.length);
        setImmediate(client);
      },
    );
  };
  for (let i = 0; i < count; i++) client();
}

const attacks: Record<string, () => void | Promise<void>> = {
  flood,
  slowloris,
  trickle,
  chunked,
  wide,
};
const attack = attacks[kind];
if (attack === undefined || !Number.isFinite(port) || !Number.isFinite(deadline)) {
  console.error('usage: node attacker.ts flood|slowloris|trickle|chunked|wide <port> <ms> [count]');
  process.exit(2);
}
void attack();
setTimeout(
  () => {
    for (const socket of sockets) socket.destroy();
    process.stdout.write(`${JSON.stringify(stats)}\n`);
    process.exit(0);
  },
  Math.max(0, deadline - Date.now()),
);
