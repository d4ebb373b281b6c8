/**
 * StreamTransport on Redis Streams (Redis ≥ 7.0), with ioredis as BullMQ uses it. Two
 * connections: blocking reads (XREADGROUP … BLOCK) on one, so they never delay commits,
 * claims and metrics on the other.
 *
 * A commit is one Lua script (commit-script.ts): for the ids this consumer still holds, it
 * writes the outputs and dead letters and acknowledges the inputs, all or nothing; ids it no
 * longer holds (claimed by another consumer meanwhile, or acknowledged already) are skipped.
 * So the output stream gets each input id at most once, as long as Redis keeps its writes.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { COMMIT_SCRIPT, LEAVE_SCRIPT, PEL_SCAN_LIMIT, commitArguments } from './commit-script';
import { StreamSetupError } from './errors';
import { idRange, idTimeMs } from './stream-ids';
import type { DeadLetterCode } from './errors';
import type {
  Backlog,
  Claimed,
  CommitBatch,
  CommitResult,
  DeadLetter,
  InputMessage,
  StreamTransport,
} from './transport';

export interface RedisTransportOptions {
  readonly url: string;
  readonly input: string;
  readonly output: string;
  readonly deadLetter: string;
  readonly group: string;
  readonly consumer: string;
  /** "0": a new group reads the whole stream; "$": only what arrives later. */
  readonly groupStart?: '0' | '$';
  /** XADD MAXLEN ~ on the output and dead-letter streams; 0 = no cap. */
  readonly outputMaxLen?: number;
  /** Hears when a connection is lost and when it is back (one line each, not per retry). */
  readonly logger?: Pick<Logger, 'warn' | 'info'>;
}

/**
 * Non-blocking commands (commit, claim, XINFO) that take longer fail and are retried: a
 * commit that did run meanwhile is then found acknowledged and skipped, never doubled.
 */
export const COMMAND_TIMEOUT_MS = 10_000;

type Entry = [id: string, fields: string[] | null];

function isEntry(value: unknown): value is Entry {
  return (
    Array.isArray(value) &&
    typeof value[0] === 'string' &&
    (value[1] === null || Array.isArray(value[1]))
  );
}

function toMessage(entry: Entry, deliveries?: number): InputMessage {
  const [id, flat] = entry;
  let fields: Record<string, string> | null = null;
  if (flat !== null) {
    fields = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  }
  return {
    id,
    fields,
    enqueuedAt: idTimeMs(id),
    ...(deliveries === undefined ? {} : { deliveries }),
  };
}

/** XREADGROUP reply: null on timeout, else [[stream, entries]]. */
function entriesOf(reply: unknown): Entry[] {
  if (!Array.isArray(reply)) return [];
  const stream: unknown = reply[0];
  if (!Array.isArray(stream) || !Array.isArray(stream[1])) return [];
  return (stream[1] as unknown[]).filter(isEntry);
}

/** RESP2 flat [k1, v1, k2, v2, …] → object. */
function pairs(flat: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function createRedisTransport(options: RedisTransportOptions): StreamTransport {
  const { input, output, deadLetter, group, consumer } = options;
  const maxLen = options.outputMaxLen ?? 0;
  const connect = (role: 'read' | 'write'): Redis => {
    const redis = new Redis(options.url, {
      connectionName: `wine-stream-scorer:${consumer}:${role}`,
      // RESP2: the reply shapes the Redis docs show for XREADGROUP, XAUTOCLAIM and XINFO
      // (ioredis 6 defaults to RESP3, where XREADGROUP's reply is a map).
      protocol: 2,
      // While Redis is away, commands wait for the reconnect instead of failing in a loop.
      maxRetriesPerRequest: null,
      // Blocking reads wait up to STREAM_BLOCK_MS by design; only the writer has a deadline.
      ...(role === 'write' ? { commandTimeout: COMMAND_TIMEOUT_MS } : {}),
    });
    let lost = false;
    redis.on('error', (error: unknown) => {
      if (lost) return;
      lost = true;
      options.logger?.warn(
        { connection: role, err: errorMessage(error) },
        'Redis connection lost; reconnecting (scoring resumes when it is back)',
      );
    });
    redis.on('ready', () => {
      if (!lost) return;
      lost = false;
      options.logger?.info({ connection: role }, 'Redis connection back');
    });
    return redis;
  };
  const reader = connect('read');
  const writer = connect('write');
  let claimCursor = '0-0';
  let closed = false;
  const shas = new Map<string, string>();

  async function script(source: string, keys: string[], args: (string | number)[]) {
    let sha = shas.get(source);
    if (sha === undefined) {
      sha = String(await writer.call('SCRIPT', ['LOAD', source]));
      shas.set(source, sha);
    }
    try {
      return await writer.call('EVALSHA', [sha, keys.length, ...keys, ...args]);
    } catch (error) {
      // Redis restarted (or SCRIPT FLUSH): the cache is empty; EVAL loads it again.
      if (!errorMessage(error).startsWith('NOSCRIPT')) throw error;
      return writer.call('EVAL', [source, keys.length, ...keys, ...args]);
    }
  }

  /** Delivery counts of entries this consumer holds in [min, max]. */
  async function deliveries(ids: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const { min, max } = idRange(ids);
    const reply = await writer.call('XPENDING', [input, group, min, max, PEL_SCAN_LIMIT, consumer]);
    if (Array.isArray(reply)) {
      for (const row of reply as unknown[]) {
        if (Array.isArray(row) && typeof row[0] === 'string') counts.set(row[0], Number(row[3]));
      }
    }
    return counts;
  }

  async function withDeliveries(entries: Entry[]): Promise<InputMessage[]> {
    const counts = await deliveries(entries.map(([id]) => id));
    return entries.map((e) => toMessage(e, counts.get(e[0])));
  }

  /** XREADGROUP from `from` ("0…" = own pending after that id, ">" = new entries). */
  function readGroup(count: number, from: string, blockMs?: number): Promise<unknown> {
    const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
    return reader.call('XREADGROUP', [
      ...['GROUP', group, consumer, 'COUNT', count],
      ...block,
      ...['STREAMS', input, from],
    ]);
  }

  async function keyType(key: string): Promise<string> {
    return String(await writer.call('TYPE', [key]));
  }

  return {
    describe: () =>
      `${options.url.replace(/\/\/[^@/]*@/, '//***@')} ${input} → ${output} (group ${group})`,

    async prepare() {
      for (const key of [input, output, deadLetter]) {
        const type = await keyType(key);
        if (type !== 'stream' && type !== 'none') {
          throw new StreamSetupError(
            `Redis key "${key}" holds a ${type}, not a stream: choose another STREAM_* name or remove that key.`,
          );
        }
      }
      try {
        await writer.call('XGROUP', [
          'CREATE',
          input,
          group,
          options.groupStart ?? '0',
          'MKSTREAM',
        ]);
      } catch (error) {
        if (!errorMessage(error).startsWith('BUSYGROUP')) {
          throw new StreamSetupError(
            `cannot create consumer group "${group}" on "${input}": ${errorMessage(error)}`,
          );
        }
      }
    },

    async readOwnPending(afterId, count) {
      return withDeliveries(entriesOf(await readGroup(count, afterId)));
    },

    async readNew(count, blockMs) {
      return entriesOf(await readGroup(count, '>', blockMs)).map((e) => toMessage(e));
    },

    async claimStale(minIdleMs, count): Promise<Claimed> {
      const reply = await writer.call('XAUTOCLAIM', [
        input,
        group,
        consumer,
        minIdleMs,
        claimCursor,
        'COUNT',
        count,
      ]);
      if (!Array.isArray(reply)) return { messages: [], vanished: [], done: true };
      claimCursor = typeof reply[0] === 'string' ? reply[0] : '0-0';
      const entries = (Array.isArray(reply[1]) ? (reply[1] as unknown[]) : []).filter(isEntry);
      const vanished = (Array.isArray(reply[2]) ? (reply[2] as unknown[]) : []).filter(
        (id): id is string => typeof id === 'string',
      );
      return {
        messages: await withDeliveries(entries),
        vanished,
        done: claimCursor === '0-0',
      };
    },

    async commit(batch: CommitBatch): Promise<CommitResult> {
      const args = commitArguments(batch, { group, consumer, maxLen });
      if (args === undefined) return { notOwned: [] };
      const reply = await script(COMMIT_SCRIPT, [input, output, deadLetter], args);
      return {
        notOwned: Array.isArray(reply)
          ? (reply as unknown[]).filter((id): id is string => typeof id === 'string')
          : [],
      };
    },

    async deadLetterUnacknowledged(letters: readonly DeadLetter[]) {
      if (letters.length === 0) return;
      const pipeline = writer.pipeline();
      const cap = maxLen > 0 ? ['MAXLEN', '~', maxLen] : [];
      for (const l of letters) {
        pipeline.call('XADD', [
          deadLetter,
          ...cap,
          '*',
          'input_id',
          l.inputId,
          'code',
          l.code satisfies DeadLetterCode,
          'message',
          l.message,
        ]);
      }
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error !== null);
      if (failed !== undefined) throw failed[0] as Error;
    },

    async backlog(): Promise<Backlog> {
      const reply = await writer.call('XINFO', ['GROUPS', input]);
      const info = (Array.isArray(reply) ? (reply as unknown[]) : [])
        .map(pairs)
        .find((g) => g['name'] === group);
      if (info === undefined) return { undelivered: 0, pending: 0, exact: false };
      const pending = Number(info['pending'] ?? 0);
      if (typeof info['lag'] === 'number') {
        return { undelivered: info['lag'], pending, exact: true };
      }
      // Redis cannot count (deletions inside the range): bound it by what was ever added.
      const stream = pairs(await writer.call('XINFO', ['STREAM', input]));
      const added = Number(stream['entries-added'] ?? stream['length'] ?? 0);
      const read = typeof info['entries-read'] === 'number' ? info['entries-read'] : 0;
      return { undelivered: Math.max(0, added - read), pending, exact: false };
    },

    connected: () => writer.status === 'ready' && reader.status === 'ready',

    async leave() {
      const left = await script(LEAVE_SCRIPT, [input], [group, consumer]);
      return left === 1;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([reader.quit(), writer.quit()]);
      reader.disconnect();
      writer.disconnect();
    },
  };
}
