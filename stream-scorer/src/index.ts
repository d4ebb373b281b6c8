export {
  loadStreamConfig,
  ConfigError,
  STREAM_ENV_DOCS,
  STREAM_SECRET_ENV,
  DEFAULT_METRICS_PORT,
} from './config';
export type { StreamConfig, StreamNames, ConsumerSettings } from './config';
export { DEAD_LETTER_CODES, DEAD_LETTER_DOCS, StreamSetupError } from './errors';
export type { DeadLetterCode } from './errors';
export { decodeMessage, RECORD_FIELD } from './message';
export type { Decoded } from './message';
export { scoreBatch } from './score-batch';
export type { ScoredBatch, BatchLimits } from './score-batch';
export { createStreamConsumer } from './consumer';
export type { ConsumerDeps, ConsumerStats, StreamConsumer } from './consumer';
export { createStreamMetrics, STREAM_METRIC_NAMES } from './metrics';
export type { StreamMetrics } from './metrics';
export { createRedisTransport, COMMAND_TIMEOUT_MS } from './redis-transport';
export type { RedisTransportOptions } from './redis-transport';
export { COMMIT_SCRIPT, LEAVE_SCRIPT } from './commit-script';
export { idTimeMs, compareIds, idRange } from './stream-ids';
export { serveOperations } from './server';
export type {
  Backlog,
  Claimed,
  CommitBatch,
  CommitResult,
  DeadLetter,
  InputMessage,
  ScoredOutput,
  StreamTransport,
} from './transport';
