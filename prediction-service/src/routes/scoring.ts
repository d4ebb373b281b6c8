/** POST /predict and POST /invocations. */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { parseBody } from '../http/body';
import { csvToRows } from '../http/csv';
import { parseInvocationsBody } from '../http/invocations.schema';
import { parsePredictBody } from '../http/predict.schema';
import { collectRecords } from '../http/rows';
import type { Scorer } from '../model/scorer';
import type { ModelInfo } from '../model/servable-model';
import { methodNotAllowed } from './method-not-allowed';

export interface ModelRef {
  name: string;
  version: string;
  source: string;
}

export function modelRef(info: ModelInfo): ModelRef {
  return { name: info.name, version: info.version, source: info.source };
}

/** A model's reference as JSON text, made once per model (ModelInfo objects are per load). */
const refJson = new WeakMap<ModelInfo, string>();
function modelRefJson(info: ModelInfo): string {
  let text = refJson.get(info);
  if (text === undefined) {
    text = JSON.stringify(modelRef(info));
    refJson.set(info, text);
  }
  return text;
}

/**
 * The JSON text of POST /predict's answer for a parsed JSON body, for the fast lane:
 * byte for byte `JSON.stringify(predictResponse(...))`, with the single-record answer written
 * from a template (the model reference is serialised once per model) — stringifying the
 * whole object was a tenth of a request's own CPU.
 */
export function predictResponseText(
  scorer: Scorer,
  body: unknown,
  maxBatchRows: number,
  requestId: string,
): string {
  const input = parsePredictBody(body, maxBatchRows);
  const context = { requestId, endpoint: '/predict' } as const;
  if (input.kind === 'single') {
    const { predictions, model } = scorer.score([input.record], context);
    // JSON.stringify, not String(): a non-finite number is `null` in JSON.
    return `{"quality":${JSON.stringify(predictions[0])},"model":${modelRefJson(model)},"request_id":${JSON.stringify(requestId)}}`;
  }
  const { predictions, model } = scorer.score(input.records, context);
  return JSON.stringify({ predictions, model: modelRef(model) });
}

/** The JSON text of POST /invocations' answer, for the fast lane. */
export function invocationsResponseText(
  scorer: Scorer,
  body: unknown,
  maxBatchRows: number,
  requestId: string,
): string {
  return JSON.stringify(invocationsResponse(scorer, body, maxBatchRows, requestId));
}

/**
 * The response body of POST /predict for a parsed JSON body. Shared by the Express route and
 * the fast lane (http/fast-lane.ts) so both validate and answer identically.
 */
export function predictResponse(
  scorer: Scorer,
  body: unknown,
  maxBatchRows: number,
  requestId: string,
): object {
  const input = parsePredictBody(body, maxBatchRows);
  const context = { requestId, endpoint: '/predict' } as const;
  if (input.kind === 'single') {
    const { predictions, model } = scorer.score([input.record], context);
    return { quality: predictions[0], model: modelRef(model), request_id: requestId };
  }
  const { predictions, model } = scorer.score(input.records, context);
  return { predictions, model: modelRef(model) };
}

/** The response body of POST /invocations for a parsed JSON body or CSV text. */
export function invocationsResponse(
  scorer: Scorer,
  body: unknown,
  maxBatchRows: number,
  requestId: string,
): object {
  const records =
    typeof body === 'string'
      ? collectRecords(csvToRows(body), 'csv', maxBatchRows)
      : parseInvocationsBody(body, maxBatchRows);
  const { predictions } = scorer.score(records, { requestId, endpoint: '/invocations' });
  return { predictions };
}

export function scoringRoutes(deps: {
  scorer: Scorer;
  maxBodyBytes: number;
  maxBatchRows: number;
}): Router {
  const { scorer, maxBatchRows } = deps;
  const router = Router();

  router
    .route('/predict')
    .post(parseBody(['json'], deps.maxBodyBytes), (req: Request, res: Response) => {
      res.json(predictResponse(scorer, req.body, maxBatchRows, req.id));
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/invocations')
    .post(parseBody(['json', 'csv'], deps.maxBodyBytes), (req: Request, res: Response) => {
      res.json(invocationsResponse(scorer, req.body, maxBatchRows, req.id));
    })
    .all(methodNotAllowed('POST'));

  return router;
}
