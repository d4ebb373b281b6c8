/**
 * One batch of input entries → what to commit: a prediction for every valid wine (scored as
 * one block by the service's scorer, so the same model metrics move) and a dead letter for
 * everything else. No IO; throws only when scoring itself fails (no model, a model bug), and
 * then nothing of the batch is committed.
 */
import type { WineRecord } from '@wine/model';
import type { ModelInfo, Scorer } from '@wine/prediction-service';
import { decodeMessage } from './message';
import type { CommitBatch, DeadLetter, InputMessage, ScoredOutput } from './transport';

export interface BatchLimits {
  readonly maxRecordBytes: number;
  readonly maxDeliveries: number;
}

export interface ScoredBatch {
  readonly commit: CommitBatch;
  /** The scored wines, in the order of commit.outputs (for the prediction log). */
  readonly records: readonly WineRecord[];
  /** The model that scored them; undefined when the batch held no valid wine. */
  readonly model: ModelInfo | undefined;
}

export function scoreBatch(
  messages: readonly InputMessage[],
  scorer: Scorer,
  limits: BatchLimits,
): ScoredBatch {
  const valid: InputMessage[] = [];
  const records: WineRecord[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const message of messages) {
    if (message.deliveries !== undefined && message.deliveries > limits.maxDeliveries) {
      deadLetters.push({
        inputId: message.id,
        code: 'TOO_MANY_DELIVERIES',
        message: `delivered ${message.deliveries} times without being acknowledged (limit ${limits.maxDeliveries}, STREAM_MAX_DELIVERIES): every consumer holding it stopped before finishing`,
      });
      continue;
    }
    const decoded = decodeMessage(message, limits.maxRecordBytes);
    if (decoded.ok) {
      valid.push(message);
      records.push(decoded.record);
    } else {
      deadLetters.push({ inputId: message.id, code: decoded.code, message: decoded.message });
    }
  }
  if (records.length === 0) {
    return { commit: { outputs: [], modelVersion: '', deadLetters }, records, model: undefined };
  }
  // The request id is per batch here; the prediction log gets one id per entry after commit.
  const { predictions, model } = scorer.score(records, { requestId: '', endpoint: 'stream' });
  const outputs: ScoredOutput[] = valid.map((m, i) => ({
    inputId: m.id,
    prediction: predictions[i] as number,
  }));
  return { commit: { outputs, modelVersion: model.version, deadLetters }, records, model };
}
