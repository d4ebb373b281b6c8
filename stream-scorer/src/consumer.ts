/**
 * The consumer loop. Reads a batch, scores it as a block, and commits it (outputs + dead
 * letters + acknowledgements) without waiting: the next read is already on its way while a
 * commit travels, and reads stop while this consumer holds STREAM_MAX_PENDING entries
 * (back-pressure). Entries other consumers held too long are claimed and re-scored; its own
 * leftovers from a previous life (same consumer name) are finished first.
 *
 * Nothing is acknowledged before its result is written: a crash at any point leaves the
 * entries pending, and another consumer (or this one, restarted) scores them again.
 */
import type { PredictionSink, Scorer } from '@wine/prediction-service';
import type { Logger } from 'pino';
import type { ConsumerSettings } from './config';
import type { DeliveryLabel, StreamMetrics } from './metrics';
import { scoreBatch } from './score-batch';
import type { ScoredBatch } from './score-batch';
import type { DeadLetter, InputMessage, StreamTransport } from './transport';

export interface ConsumerDeps {
  readonly transport: StreamTransport;
  readonly scorer: Scorer;
  /** True once a model is loaded; nothing is read before. */
  readonly modelReady: () => boolean;
  /** The prediction log: one event per written prediction. */
  readonly sink: PredictionSink;
  readonly metrics: StreamMetrics;
  readonly logger: Logger;
  /** Prefix of the prediction log's request ids: `<input stream>/<entry id>`. */
  readonly inputStream: string;
  readonly settings: ConsumerSettings;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ConsumerStats {
  readonly consumed: number;
  readonly produced: number;
  readonly deadLettered: number;
  readonly discarded: number;
  readonly inFlight: number;
}

export interface StreamConsumer {
  /** Runs until stop(); resolves once every commit in flight has settled. */
  run(): Promise<void>;
  /** Stops reading and claiming; the batch in hand is scored and committed. Idempotent. */
  stop(): void;
  stats(): ConsumerStats;
}

const MAX_BACKOFF_MS = 5000;

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function createStreamConsumer(deps: ConsumerDeps): StreamConsumer {
  const { transport, scorer, sink, metrics, logger, settings } = deps;
  const now = deps.now ?? Date.now;
  const sleep =
    deps.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        setTimeout(resolve, ms).unref();
      }));
  // Half the idle time: a dead consumer's entries wait at most 1.5 × STREAM_CLAIM_IDLE_MS.
  const claimEveryMs = Math.max(50, Math.floor(settings.claimIdleMs / 2));
  const commits = new Set<Promise<void>>();
  let stopping = false;
  let wake: (() => void) | undefined;
  let inFlight = 0;
  const totals = { consumed: 0, produced: 0, deadLettered: 0, discarded: 0 };
  let failures = 0;

  const setInFlight = (delta: number): void => {
    inFlight += delta;
    metrics.inFlight.set(inFlight);
  };

  /** Backoff after a failure; cut short by stop(). */
  async function backoff(operation: string, error: unknown): Promise<void> {
    failures++;
    const ms = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures - 1, 6));
    if (failures === 1 || failures % 20 === 0) {
      logger.warn(
        { operation, err: messageOf(error), consecutive_failures: failures, retry_ms: ms },
        'stream operation failed; retrying',
      );
    }
    await Promise.race([
      sleep(ms),
      new Promise<void>((resolve) => {
        wake = resolve;
      }),
    ]);
  }

  function written(
    scored: ScoredBatch,
    messages: readonly InputMessage[],
    notOwned: readonly string[],
  ): void {
    const skip = notOwned.length === 0 ? undefined : new Set(notOwned);
    const at = now();
    const { outputs, deadLetters } = scored.commit;
    const model = scored.model;
    let produced = 0;
    for (let i = 0; i < outputs.length; i++) {
      const out = outputs[i] as (typeof outputs)[number];
      if (skip?.has(out.inputId)) continue;
      produced++;
      if (model !== undefined) {
        sink.record({
          requestId: `${deps.inputStream}/${out.inputId}`,
          endpoint: 'stream',
          model,
          records: [scored.records[i] as (typeof scored.records)[number]],
          predictions: [out.prediction],
          receivedAt: at,
        });
      }
    }
    let dead = 0;
    for (const d of deadLetters) {
      if (skip?.has(d.inputId)) continue;
      dead++;
      metrics.deadLettered.inc({ code: d.code });
    }
    metrics.produced.inc(produced);
    totals.produced += produced;
    totals.deadLettered += dead;
    for (const m of messages) {
      if (m.enqueuedAt !== undefined && skip?.has(m.id) !== true) {
        metrics.latency.observe(Math.max(0, at - m.enqueuedAt) / 1000);
      }
    }
    if (skip !== undefined) {
      metrics.discarded.inc(skip.size);
      totals.discarded += skip.size;
      logger.info(
        { entries: skip.size },
        'results discarded: another consumer claimed these entries meanwhile and writes them',
      );
    }
  }

  /** Commits one scored batch, retrying until it lands (or the entries stay pending at exit). */
  async function commit(scored: ScoredBatch, messages: readonly InputMessage[]): Promise<void> {
    let attempt = 0;
    try {
      for (;;) {
        try {
          const result = await transport.commit(scored.commit);
          failures = 0;
          written(scored, messages, result.notOwned);
          return;
        } catch (error) {
          metrics.errors.inc({ operation: 'commit' });
          attempt++;
          if (stopping && attempt >= 3) {
            logger.error(
              { entries: messages.length, err: messageOf(error) },
              'giving up on a commit at shutdown: the entries stay pending and another consumer will score them',
            );
            return;
          }
          await backoff('commit', error);
        }
      }
    } finally {
      setInFlight(-messages.length);
    }
  }

  function process(messages: readonly InputMessage[], delivery: DeliveryLabel): void {
    if (messages.length === 0) return;
    metrics.consumed.inc({ delivery }, messages.length);
    metrics.batchSize.observe(messages.length);
    totals.consumed += messages.length;
    setInFlight(messages.length);
    let scored: ScoredBatch;
    try {
      scored = scoreBatch(messages, scorer, settings);
    } catch (error) {
      // Left pending: claimed again after STREAM_CLAIM_IDLE_MS, dead-lettered after too many tries.
      metrics.errors.inc({ operation: 'score' });
      logger.error(
        { entries: messages.length, err: messageOf(error) },
        'scoring a batch failed; its entries stay pending and will be claimed again',
      );
      setInFlight(-messages.length);
      return;
    }
    const task = commit(scored, messages).finally(() => commits.delete(task));
    commits.add(task);
  }

  /** Waits until at least `room` more entries may be held. */
  async function makeRoom(room: number): Promise<void> {
    while (inFlight + room > settings.maxPending && commits.size > 0) {
      await Promise.race(commits);
    }
  }

  async function reportVanished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const letters: DeadLetter[] = ids.map((inputId) => ({
      inputId,
      code: 'INPUT_DELETED',
      message:
        'the entry was deleted from the input stream while it was pending, before it was scored',
    }));
    await transport.deadLetterUnacknowledged(letters);
    for (const l of letters) metrics.deadLettered.inc({ code: l.code });
    totals.deadLettered += letters.length;
    logger.warn(
      { entries: ids.length },
      'pending entries were deleted from the input stream before they were scored (trimmed?); dead-lettered as INPUT_DELETED',
    );
  }

  /** Entries this consumer name held before a restart. */
  async function finishOwnPending(): Promise<void> {
    let after = '0';
    while (!stopping) {
      await makeRoom(settings.batchSize);
      const messages = await transport.readOwnPending(after, settings.batchSize);
      const last = messages[messages.length - 1];
      if (last === undefined) return;
      after = last.id;
      logger.info({ entries: messages.length }, 'finishing entries pending from before a restart');
      process(messages, 'redelivered');
    }
  }

  async function claim(): Promise<boolean> {
    await makeRoom(settings.batchSize);
    const claimed = await transport.claimStale(settings.claimIdleMs, settings.batchSize);
    await reportVanished(claimed.vanished);
    if (claimed.messages.length > 0) {
      logger.info(
        { entries: claimed.messages.length },
        'claimed entries another consumer held too long; scoring them',
      );
      process(claimed.messages, 'redelivered');
    }
    return claimed.done;
  }

  async function loop(): Promise<void> {
    let nextClaimAt = 0;
    let prefetch: Promise<InputMessage[]> | undefined;
    while (!stopping || prefetch !== undefined) {
      try {
        if (!stopping && now() >= nextClaimAt) {
          // A failed claim is retried at the next interval; reading goes on meanwhile.
          const done = await claim().catch((error: unknown) => {
            metrics.errors.inc({ operation: 'claim' });
            logger.warn({ err: messageOf(error) }, 'claiming stale entries failed');
            return true;
          });
          nextClaimAt = done ? now() + claimEveryMs : now();
        }
        let messages: InputMessage[];
        if (prefetch !== undefined) {
          const pending = prefetch;
          prefetch = undefined;
          messages = await pending;
        } else {
          await makeRoom(1);
          messages = await transport.readNew(
            Math.min(settings.batchSize, settings.maxPending - inFlight),
            settings.blockMs,
          );
        }
        failures = 0;
        // A full batch says more is waiting: ask for the next one before scoring this one.
        const room = settings.maxPending - inFlight - messages.length;
        if (!stopping && messages.length === settings.batchSize && room > 0) {
          prefetch = transport.readNew(Math.min(settings.batchSize, room), settings.blockMs);
          // Observed here so a failure never goes unhandled; the loop sees it when it awaits.
          prefetch.catch(() => undefined);
        }
        process(messages, 'new');
      } catch (error) {
        metrics.errors.inc({ operation: 'read' });
        if (/NOGROUP/.test(messageOf(error))) {
          logger.warn(
            { stream: deps.inputStream },
            'the consumer group or the input stream is gone (deleted, or Redis lost its data); creating it again',
          );
          await transport.prepare().catch(() => undefined);
        }
        if (!stopping) await backoff('read', error);
      }
    }
  }

  return {
    async run() {
      while (!deps.modelReady() && !stopping) await sleep(200);
      if (!stopping) {
        try {
          await finishOwnPending();
        } catch (error) {
          metrics.errors.inc({ operation: 'read' });
          logger.warn({ err: messageOf(error) }, 'could not read own pending entries; continuing');
        }
      }
      await loop();
      while (commits.size > 0) await Promise.allSettled([...commits]);
    },
    stop() {
      stopping = true;
      wake?.();
    },
    stats: () => ({ ...totals, inFlight }),
  };
}
