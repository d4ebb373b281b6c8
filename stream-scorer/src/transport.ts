/**
 * What the scorer needs from a message broker. The consumer loop (consumer.ts) sees only
 * this interface; redis-transport.ts implements it on Redis Streams. A Kafka or Event Hubs
 * transport is one more file implementing it — the README's "Streaming" section maps each
 * method onto consumer groups, partitions and offsets.
 */
import type { DeadLetterCode } from './errors';

/** One input entry as delivered to this consumer. */
export interface InputMessage {
  /** Broker-wide identity (Redis entry id; Kafka `<partition>:<offset>`); echoed as input_id. */
  readonly id: string;
  /** Field → value; null when the entry was deleted after delivery (only the id is left). */
  readonly fields: Readonly<Record<string, string>> | null;
  /** When the broker accepted the entry (Unix ms), for end-to-end latency; undefined if unknown. */
  readonly enqueuedAt: number | undefined;
  /** Times delivered so far, when the broker says (redeliveries only). */
  readonly deliveries?: number;
}

export interface ScoredOutput {
  readonly inputId: string;
  readonly prediction: number;
}

export interface DeadLetter {
  readonly inputId: string;
  readonly code: DeadLetterCode;
  readonly message: string;
}

/** Everything that results from a batch, written and acknowledged together. */
export interface CommitBatch {
  readonly outputs: readonly ScoredOutput[];
  /** The model version of every output in the batch (one model scores one batch). */
  readonly modelVersion: string;
  readonly deadLetters: readonly DeadLetter[];
}

export interface CommitResult {
  /**
   * Input ids NOT written because this consumer no longer holds them: another consumer
   * claimed them (this one was too slow) and writes them itself, or they were acknowledged
   * already. Their results are discarded; the output never holds an input id twice.
   */
  readonly notOwned: readonly string[];
}

export interface Claimed {
  /** Entries taken over from consumers that held them longer than the idle time. */
  readonly messages: readonly InputMessage[];
  /**
   * Ids that were pending but are gone from the stream (trimmed, deleted); the broker
   * dropped them from the pending list while claiming, so only the caller can report them.
   */
  readonly vanished: readonly string[];
  /** True when the scan reached the end of the pending list (the next claim starts over). */
  readonly done: boolean;
}

export interface Backlog {
  /** Entries not delivered to the group yet; an upper bound when `exact` is false. */
  readonly undelivered: number;
  /** False when the broker cannot count exactly (Redis after deletions inside the stream). */
  readonly exact: boolean;
  /** Entries delivered to a consumer of the group and not yet acknowledged. */
  readonly pending: number;
}

export interface StreamTransport {
  /** For logs: which broker, streams and group. */
  describe(): string;
  /** Creates the consumer group when missing; throws StreamSetupError when it cannot. */
  prepare(): Promise<void>;
  /**
   * Entries delivered to this consumer earlier and never acknowledged (a restart under the
   * same consumer name), oldest first, after `afterId` ("0" to start).
   */
  readOwnPending(afterId: string, count: number): Promise<InputMessage[]>;
  /** New entries for this consumer, waiting up to `blockMs` when there are none. */
  readNew(count: number, blockMs: number): Promise<InputMessage[]>;
  /** Claims entries idle for `minIdleMs` in any consumer of the group, with delivery counts. */
  claimStale(minIdleMs: number, count: number): Promise<Claimed>;
  /** Writes outputs and dead letters and acknowledges their inputs, atomically per batch. */
  commit(batch: CommitBatch): Promise<CommitResult>;
  /** Dead-letters ids that are no longer pending (vanished while claimed); no acknowledgement. */
  deadLetterUnacknowledged(letters: readonly DeadLetter[]): Promise<void>;
  backlog(): Promise<Backlog>;
  /** Whether the broker is reachable right now (for a metric; operations wait or fail meanwhile). */
  connected(): boolean;
  /** Leaves the group if this consumer holds nothing (a clean shutdown); false if it kept entries. */
  leave(): Promise<boolean>;
  close(): Promise<void>;
}
