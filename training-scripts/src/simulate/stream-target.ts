/**
 * `simulate --to stream`: each wine becomes one entry of the stream scorer's input stream
 * (field `record` = the wine's JSON in the contract's names, quality left out). Sends made in
 * the same tick share one round trip (ioredis auto-pipelining), so high rates cost little.
 * Feedback, when asked for, goes to the prediction service's POST /feedback with the request
 * id the stream scorer logs: `<stream>/<entry id>`.
 */
import { Redis } from 'ioredis';
import type { SendResult, SimulationTarget } from './targets';
import { TargetUnavailableError } from './targets';

/** The input entry's one field (the stream scorer's stable message format). */
export const STREAM_RECORD_FIELD = 'record';

export function streamTarget(options: {
  readonly redisUrl: string;
  readonly stream: string;
  /** Where feedback goes (the service's POST /feedback); absent → no feedback. */
  readonly feedback?: SimulationTarget['feedback'];
}): SimulationTarget {
  const redis = new Redis(options.redisUrl, {
    lazyConnect: true,
    enableAutoPipelining: true,
    // A send fails after one reconnect attempt instead of waiting for Redis forever.
    maxRetriesPerRequest: 1,
    protocol: 2,
  });
  redis.on('error', () => undefined); // surfaces as failed sends, counted by the summary
  const shown = options.redisUrl.replace(/\/\/[^@/]*@/, '//***@');
  return {
    description: `${shown} stream ${options.stream}`,
    realtime: true,
    async preflight() {
      try {
        await redis.connect();
        const type = await redis.type(options.stream);
        if (type !== 'stream' && type !== 'none') {
          throw new TargetUnavailableError(
            `Redis key "${options.stream}" holds a ${type}, not a stream: pass another --stream`,
          );
        }
      } catch (error) {
        redis.disconnect();
        if (error instanceof TargetUnavailableError) throw error;
        throw new TargetUnavailableError(
          `no Redis at ${shown} (${error instanceof Error ? error.message : String(error)}): start redis-server or pass --redis-url`,
        );
      }
    },
    async send(row): Promise<SendResult> {
      const { quality: _truth, ...record } = row;
      try {
        const id = await redis.xadd(
          options.stream,
          '*',
          STREAM_RECORD_FIELD,
          JSON.stringify(record),
        );
        return { ok: true, status: 200, requestId: `${options.stream}/${String(id)}` };
      } catch {
        return { ok: false, status: 0, error: 'connection' };
      }
    },
    ...(options.feedback === undefined ? {} : { feedback: options.feedback }),
    async close() {
      await redis.quit().catch(() => undefined);
      redis.disconnect();
    },
  };
}
