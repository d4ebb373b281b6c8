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

export function scoringRoutes(deps: {
  scorer: Scorer;
  maxBodyBytes: number;
  maxBatchRows: number;
}): Router {
  const { scorer, maxBatchRows } = deps;
  const router = Router();

  router
    .route('/predict')
    .post(...parseBody(['json'], deps.maxBodyBytes), (req: Request, res: Response) => {
      const input = parsePredictBody(req.body, maxBatchRows);
      const context = { requestId: req.id, endpoint: '/predict' } as const;
      if (input.kind === 'single') {
        const { predictions, model } = scorer.score([input.record], context);
        res.json({ quality: predictions[0], model: modelRef(model), request_id: req.id });
      } else {
        const { predictions, model } = scorer.score(input.records, context);
        res.json({ predictions, model: modelRef(model) });
      }
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/invocations')
    .post(...parseBody(['json', 'csv'], deps.maxBodyBytes), (req: Request, res: Response) => {
      const body: unknown = req.body;
      const records =
        typeof body === 'string'
          ? collectRecords(csvToRows(body), 'csv', maxBatchRows)
          : parseInvocationsBody(body, maxBatchRows);
      const { predictions } = scorer.score(records, {
        requestId: req.id,
        endpoint: '/invocations',
      });
      res.json({ predictions });
    })
    .all(methodNotAllowed('POST'));

  return router;
}
