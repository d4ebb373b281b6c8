/**
 * Per-server connection limits: a total cap (kept below the process's open-file limit, so a
 * flood cannot make accept() fail for everyone) and a cap per client address, enforced as
 * nginx does when it runs out of connections: first close the longest-open *idle*
 * connection — a keep-alive socket between requests, or one that has not sent a whole
 * request yet — of the same address (per-address cap) or of anyone (total cap); refuse the
 * new connection only when every one of them is busy with a request.
 *
 * Idle is decided lazily, only at the cap: the wrapped request listener remembers each
 * socket's latest response (one property write per request), and a socket is idle when it
 * has none yet or that response has been sent. Nothing else runs per request.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionPolicy {
  /** Open connections per server (per worker process). */
  readonly maxConnections: number;
  /** Open connections per client address (IPv6: per /64); 0 = no per-address cap. */
  readonly maxPerAddress: number;
}

export type ShedAction = 'closed_idle' | 'refused';
export type ShedLimit = 'total' | 'per_address';

/** Hooks for metrics. */
export interface ConnectionEvents {
  opened(): void;
  closed(): void;
  shed(action: ShedAction, limit: ShedLimit): void;
}

const LAST_RESPONSE = Symbol('lastResponse');
const ADDRESS = Symbol('clientAddress');

interface Tracked extends Socket {
  [LAST_RESPONSE]: ServerResponse | undefined;
  [ADDRESS]: string;
}

function isIdle(socket: Tracked): boolean {
  const last = socket[LAST_RESPONSE];
  return last === undefined || last.writableFinished;
}

/** The oldest idle connection of `sockets` (iteration order is the order they opened). */
function oldestIdle(sockets: Iterable<Tracked>): Tracked | undefined {
  for (const socket of sockets) if (isIdle(socket)) return socket;
  return undefined;
}

/**
 * The key a client's connections are counted under: the IPv4 address (IPv4-mapped IPv6
 * included), or the /64 prefix of an IPv6 address, since one host typically holds a whole /64.
 */
export function clientKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  const address = remoteAddress.split('%')[0] ?? remoteAddress;
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  const [left = '', right] = address.split('::');
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const groups = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return `${groups
    .slice(0, 4)
    .map((g) => (g === '' ? '0' : g.toLowerCase().replace(/^0+(?=.)/, '')))
    .join(':')}::/64`;
}

/**
 * Installs the limits on `server` and returns the request listener to use: `handler`, plus
 * remembering each socket's latest response.
 */
export function guardConnections(
  server: Server,
  policy: ConnectionPolicy,
  handler: RequestListener,
  events?: ConnectionEvents,
): RequestListener {
  const open = new Set<Tracked>();
  const byClient = new Map<string, Set<Tracked>>();

  // Idempotent; a closed victim leaves the counts at once, not when its 'close' fires.
  const forget = (socket: Tracked): void => {
    if (!open.delete(socket)) return;
    const group = byClient.get(socket[ADDRESS]);
    group?.delete(socket);
    if (group?.size === 0) byClient.delete(socket[ADDRESS]);
    events?.closed();
  };

  /** Makes room by closing `victim`, or refuses `newcomer` when there is none. */
  const makeRoom = (victim: Tracked | undefined, limit: ShedLimit, newcomer: Tracked): boolean => {
    if (victim === undefined) {
      newcomer.destroy();
      events?.shed('refused', limit);
      return false;
    }
    forget(victim);
    victim.destroy();
    events?.shed('closed_idle', limit);
    return true;
  };

  server.on('connection', (raw: Socket) => {
    const socket = raw as Tracked;
    socket[LAST_RESPONSE] = undefined;
    const key = clientKey(socket.remoteAddress);
    socket[ADDRESS] = key;
    const mine = byClient.get(key);
    if (policy.maxPerAddress > 0 && mine !== undefined && mine.size >= policy.maxPerAddress) {
      if (!makeRoom(oldestIdle(mine), 'per_address', socket)) return;
    }
    if (open.size >= policy.maxConnections) {
      if (!makeRoom(oldestIdle(open), 'total', socket)) return;
    }
    let group = byClient.get(key);
    if (group === undefined) {
      group = new Set();
      byClient.set(key, group);
    }
    open.add(socket);
    group.add(socket);
    events?.opened();
    socket.once('close', () => {
      forget(socket);
    });
  });

  return function trackedHandler(req: IncomingMessage, res: ServerResponse): void {
    (req.socket as Tracked)[LAST_RESPONSE] = res;
    handler(req, res);
  };
}
