/**
 * Where scored requests go after the response is computed (the prediction log). A sink must
 * never throw nor block the response; the PostgreSQL one is in postgres-log.ts.
 */
import type { WineRecord } from '@wine/model';
import type { Logger } from 'pino';
import type { ModelInfo } from './model/servable-model';

export interface PredictionEvent {
  readonly requestId: string;
  /** Where the rows came in; `stream` = the stream scorer (request id `<input stream>/<entry id>`). */
  readonly endpoint: '/predict' | '/invocations' | 'stream';
  readonly model: ModelInfo;
  readonly records: readonly WineRecord[];
  readonly predictions: readonly number[];
  readonly receivedAt: number;
}

export interface PredictionSink {
  record(event: PredictionEvent): void;
  /** Flushes anything buffered by `deadline` (Unix ms); called during graceful shutdown. */
  close(deadline?: number): Promise<void>;
}

export function createNoopSink(): PredictionSink {
  return { record: () => undefined, close: () => Promise.resolve() };
}

/** Logs each scored request at debug level (never at info: bodies stay out of normal logs). */
export function createLoggingSink(logger: Logger): PredictionSink {
  return {
    record(event) {
      if (!logger.isLevelEnabled('debug')) return;
      logger.debug(
        {
          request_id: event.requestId,
          endpoint: event.endpoint,
          model_version: event.model.version,
          rows: event.records.length,
          predictions: event.predictions,
        },
        'scored',
      );
    },
    close: () => Promise.resolve(),
  };
}
