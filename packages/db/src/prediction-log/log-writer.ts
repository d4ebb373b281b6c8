/**
 * The prediction-log writer: requests enqueue their entry and return at once; rows are
 * written in batches off the request path. When PostgreSQL is slow or down, batches go back
 * to the head of the queue and are retried with exponential backoff (jittered); when the
 * queue is full the OLDEST rows are dropped and reported, so a long outage costs the oldest
 * history, never the service's answers. `close` keeps flushing until the queue is empty or
 * the deadline passes.
 */
import type { Pool, PoolClient } from 'pg';
import { createBatchCopier, MAX_BATCH_ROWS } from './batch-copy';
import { EncodedRowQueue } from './encoded-queue';
import type { EncodedBatch } from './encoded-queue';
import type { EntrySlice, PredictionLogEntry } from './entry';
import { sliceRows } from './entry';
import { insertRows } from './insert-write';
import { RowQueue } from './row-queue';

export type WriteMethod = 'copy' | 'insert';
export type DropReason = 'queue_full' | 'shutdown';

/** Hooks for metrics and logs; all optional, none may throw. */
export interface LogWriterEvents {
  onWritten?(rows: number, seconds: number): void;
  onDropped?(rows: number, reason: DropReason): void;
  /** A batch failed; `consecutive` counts failures since the last success. */
  onWriteError?(error: unknown, consecutive: number): void;
  /** The first success after failures. */
  onRecovered?(failures: number): void;
}

export interface LogWriterOptions {
  readonly pool: Pick<Pool, 'connect'>;
  /** Most rows held in memory; above it the oldest are dropped (default 100,000). */
  readonly capacityRows?: number;
  /** Rows per write, at most 65,536; a full batch is written at once (default 2,000). */
  readonly batchRows?: number;
  /** A partial batch waits at most this long (default 250 ms). */
  readonly flushIntervalMs?: number;
  readonly method?: WriteMethod;
  /** First retry delay after a failed write, doubled per failure up to maxBackoffMs. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A write that takes longer is abandoned (its connection destroyed) and retried. */
  readonly writeTimeoutMs?: number;
  readonly events?: LogWriterEvents;
}

export interface LogWriterStats {
  /** Rows waiting, including a batch being written. */
  readonly queuedRows: number;
  readonly writtenRows: number;
  readonly droppedRows: number;
  readonly writeErrors: number;
}

export interface CloseResult {
  readonly writtenRows: number;
  /** Rows still queued at the deadline (counted as dropped, reason "shutdown"). */
  readonly lostRows: number;
}

export interface PredictionLogWriter {
  /** Never throws, never waits: the request path calls it. */
  enqueue(entry: PredictionLogEntry): void;
  /** Writes everything queued now; resolves when done or when a write fails (no retry wait). */
  flush(): Promise<void>;
  stats(): LogWriterStats;
  /** Stops accepting, flushes (retrying) until empty or `deadline` (Unix ms). Idempotent. */
  close(deadline: number): Promise<CloseResult>;
}

export const LOG_WRITER_DEFAULTS = {
  capacityRows: 100_000,
  batchRows: 2000,
  flushIntervalMs: 250,
  initialBackoffMs: 200,
  maxBackoffMs: 5000,
  writeTimeoutMs: 10_000,
} as const;

/** How queued rows are held and written: a queue whose batches one write method takes. */
interface BatchStore<B> {
  readonly queue: {
    readonly rows: number;
    push(entry: PredictionLogEntry): void;
    take(max: number): B;
    putBack(batch: B): void;
    dropOldest(n: number): number;
  };
  readonly rowsOf: (batch: B) => number;
  /** The batch's rows are written: its memory may be reused. */
  readonly written?: (batch: B) => void;
  readonly write: (client: PoolClient, batch: B) => Promise<void>;
}

export function createPredictionLogWriter(options: LogWriterOptions): PredictionLogWriter {
  // COPY: rows are encoded when enqueued and the queue holds bytes (encoded-queue.ts), which
  // a write turns into stored batches (batch-copy.ts); INSERT needs the values, so its queue
  // holds the entries.
  if (options.method === 'insert') {
    const store: BatchStore<EntrySlice[]> = {
      queue: new RowQueue(),
      rowsOf: sliceRows,
      write: insertRows,
    };
    return writerWith(options, store);
  }
  const queue = new EncodedRowQueue();
  const store: BatchStore<EncodedBatch> = {
    queue,
    rowsOf: (b) => b.rows,
    written: (b) => {
      queue.done(b);
    },
    write: createBatchCopier(),
  };
  return writerWith(options, store);
}

function writerWith<B>(options: LogWriterOptions, store: BatchStore<B>): PredictionLogWriter {
  const capacity = options.capacityRows ?? LOG_WRITER_DEFAULTS.capacityRows;
  const batchRows = options.batchRows ?? LOG_WRITER_DEFAULTS.batchRows;
  if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > MAX_BATCH_ROWS) {
    throw new RangeError(
      `batchRows must be a whole number from 1 to ${MAX_BATCH_ROWS}, not ${batchRows}`,
    );
  }
  const flushIntervalMs = options.flushIntervalMs ?? LOG_WRITER_DEFAULTS.flushIntervalMs;
  const initialBackoff = options.initialBackoffMs ?? LOG_WRITER_DEFAULTS.initialBackoffMs;
  const maxBackoff = options.maxBackoffMs ?? LOG_WRITER_DEFAULTS.maxBackoffMs;
  const writeTimeoutMs = options.writeTimeoutMs ?? LOG_WRITER_DEFAULTS.writeTimeoutMs;
  const events = options.events ?? {};

  const { queue, rowsOf, write } = store;
  let inflightRows = 0;
  let written = 0;
  let dropped = 0;
  let errors = 0;
  let failures = 0;
  let closed = false;
  let busy: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** While set, only the retry timer starts a write. */
  let retryAt = 0;

  function drop(rows: number, reason: DropReason): void {
    if (rows <= 0) return;
    dropped += rows;
    events.onDropped?.(rows, reason);
  }

  function enforceCapacity(): void {
    const excess = queue.rows + inflightRows - capacity;
    if (excess > 0) drop(queue.dropOldest(Math.min(excess, queue.rows)), 'queue_full');
  }

  function arm(delayMs: number): void {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      start(true);
    }, delayMs);
    timer.unref();
  }

  function backoffMs(): number {
    const base = Math.min(maxBackoff, initialBackoff * 2 ** Math.min(failures - 1, 20));
    return base * (0.8 + Math.random() * 0.4);
  }

  async function writeBatch(batch: B, timeoutMs: number): Promise<void> {
    const rows = rowsOf(batch);
    const started = process.hrtime.bigint();
    let client: PoolClient | undefined;
    let timeout: NodeJS.Timeout | undefined;
    try {
      client = await options.pool.connect();
      const c = client;
      await Promise.race([
        write(c, batch),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => {
            reject(new Error(`prediction-log write took over ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
      client.release();
      client = undefined;
    } catch (error) {
      // A broken or abandoned connection must not go back into the pool.
      client?.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    } finally {
      clearTimeout(timeout);
    }
    written += rows;
    events.onWritten?.(rows, Number(process.hrtime.bigint() - started) / 1e9);
  }

  /**
   * Writes full batches, or with `all` the rows queued when it starts, until done or a write
   * fails. Not the rows that arrive meanwhile: under steady load a flush that chased the queue
   * never ended, and each write took only what the last one's duration had gathered (~200
   * rows at 40k rows/s), paying the per-write cost (a COPY round trip, a commit) ten times
   * over; those rows wait for a full batch or the next flush interval.
   */
  async function drain(all: boolean, deadline = Infinity): Promise<boolean> {
    let owed = all ? queue.rows : 0;
    while (all ? owed > 0 && queue.rows > 0 : queue.rows >= batchRows) {
      const batch = queue.take(batchRows);
      inflightRows = rowsOf(batch);
      owed -= inflightRows;
      try {
        await writeBatch(batch, Math.max(1, Math.min(writeTimeoutMs, deadline - Date.now())));
        inflightRows = 0;
        store.written?.(batch);
        if (failures > 0) events.onRecovered?.(failures);
        failures = 0;
        retryAt = 0;
      } catch (error) {
        inflightRows = 0;
        queue.putBack(batch);
        enforceCapacity();
        errors++;
        failures++;
        events.onWriteError?.(error, failures);
        retryAt = Date.now() + backoffMs();
        return false;
      }
    }
    return true;
  }

  function start(all: boolean): void {
    if (busy !== undefined) return;
    if (retryAt > Date.now() && !all) return;
    busy = drain(all).then(
      (ok) => {
        busy = undefined;
        if (!ok) arm(Math.max(0, retryAt - Date.now()));
        else if (queue.rows >= batchRows) start(false);
        else if (queue.rows > 0) arm(flushIntervalMs);
      },
      () => {
        busy = undefined;
      },
    );
  }

  return {
    enqueue(entry) {
      if (closed) {
        drop(Math.min(entry.records.length, entry.predictions.length), 'shutdown');
        return;
      }
      queue.push(entry);
      enforceCapacity();
      if (queue.rows >= batchRows && retryAt <= Date.now()) {
        // Not while a write is in flight: it starts the next full batch itself when done.
        if (busy === undefined) setImmediate(start, false);
      } else arm(retryAt > Date.now() ? retryAt - Date.now() : flushIntervalMs);
    },

    async flush() {
      if (busy !== undefined) await busy;
      if (queue.rows === 0) return;
      clearTimeout(timer);
      timer = undefined;
      start(true);
      await busy;
    },

    stats() {
      return {
        queuedRows: queue.rows + inflightRows,
        writtenRows: written,
        droppedRows: dropped,
        writeErrors: errors,
      };
    },

    async close(deadline) {
      const before = written;
      if (!closed) {
        closed = true;
        clearTimeout(timer);
        timer = undefined;
      }
      while (Date.now() < deadline) {
        if (busy !== undefined) await busy;
        if (queue.rows === 0) break;
        const ok = await drain(true, deadline);
        if (!ok) {
          const wait = Math.min(retryAt, deadline) - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }
      const lost = queue.rows;
      drop(queue.dropOldest(lost), 'shutdown');
      return { writtenRows: written - before, lostRows: lost };
    },
  };
}
