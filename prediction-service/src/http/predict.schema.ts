/**
 * POST /predict request and response schemas. `parsePredictBody` is the only place a
 * /predict body is interpreted; handlers get typed records.
 */
import type { WineRecord } from '@wine/model';
import { z } from 'zod';
import { ServiceError, someNames } from '../errors';
import { isValidRecord } from './record.schema';
import { collectRecords } from './rows';

export const ModelRefSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    source: z.string().meta({ description: 'Where the model came from (bundled, file:…)' }),
  })
  .meta({ id: 'ModelRef' });

export const PredictSingleResponseSchema = z
  .object({
    quality: z.number().meta({ description: 'Predicted sensory quality, 0–10' }),
    model: ModelRefSchema,
    request_id: z.string(),
  })
  .meta({ id: 'PredictSingleResponse' });

export const PredictBatchResponseSchema = z
  .object({ predictions: z.array(z.number()), model: ModelRefSchema })
  .meta({ id: 'PredictBatchResponse' });

export type PredictInput =
  { kind: 'single'; record: WineRecord } | { kind: 'batch'; records: WineRecord[] };

/** Interprets a parsed JSON body; throws ServiceError (422/413/400) naming the field and row. */
export function parsePredictBody(body: unknown, maxRows: number): PredictInput {
  // The common case first: one valid record (never a batch: "instances" is not a field).
  if (isValidRecord(body)) return { kind: 'single', record: body };
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'instances' in body) {
    const keys = Object.keys(body);
    if (keys.length !== 1) {
      const extra = keys.filter((k) => k !== 'instances');
      throw new ServiceError(
        'INVALID_INPUT',
        `A batch has only the "instances" field; remove ${someNames(extra)}.`,
        { details: extra.map((k) => ({ path: k, message: `unknown field "${k}"` })) },
      );
    }
    return { kind: 'batch', records: collectRecords(body.instances, 'instances', maxRows) };
  }
  return { kind: 'single', record: collectRecords([body], '', 1)[0] as WineRecord };
}
