/**
 * POST /feedback: the true quality of earlier predictions (delayed ground truth), on the
 * public port because labelling systems live outside the cluster, guarded by its own
 * FEEDBACK_TOKEN (a labelling system should not hold the admin token that reloads models).
 * All labels of a request are stored or none; repeats are harmless.
 */
import { isDbError } from '@wine/db';
import type { FeedbackProblem } from '@wine/db';
import { Router } from 'express';
import type { Request, Response } from 'express';
import { ServiceError } from '../errors';
import type { ErrorDetail } from '../errors';
import { requireBearer } from '../http/admin-auth';
import { parseBody } from '../http/body';
import { itemPath, parseFeedbackBody } from '../http/feedback.schema';
import type { FeedbackInput } from '../http/feedback.schema';
import type { ServiceMetrics } from '../metrics';
import type { FeedbackStore } from '../postgres-log';
import { methodNotAllowed } from './method-not-allowed';

function problemDetail(input: FeedbackInput, p: FeedbackProblem): ErrorDetail {
  const at = itemPath(input, p.index);
  switch (p.reason) {
    case 'unknown_request':
      return {
        path: `${at}request_id`,
        message: `no logged prediction has request id ${p.requestId}`,
      };
    case 'unknown_row':
      return {
        path: `${at}row`,
        message: `request ${p.requestId} scored ${p.rows} row(s): row must be 0–${p.rows - 1}`,
      };
    case 'row_required':
      return {
        path: `${at}row`,
        message: `request ${p.requestId} scored ${p.rows} rows: give row (0–${p.rows - 1})`,
      };
    case 'duplicate':
      return {
        path: at.replace(/\.$/, ''),
        message: 'the same request id and row as an earlier item',
      };
  }
}

export function feedbackRoutes(deps: {
  feedback: FeedbackStore | undefined;
  token: string | undefined;
  metrics: ServiceMetrics;
  maxBodyBytes: number;
  maxBatchRows: number;
}): Router {
  const { feedback, metrics } = deps;
  const router = Router();
  const disabled = (): ServiceError =>
    new ServiceError(
      'FEEDBACK_DISABLED',
      feedback === undefined
        ? 'Feedback is disabled: the prediction log is off (set DATABASE_URL and FEEDBACK_TOKEN).'
        : 'Feedback is disabled: set FEEDBACK_TOKEN to enable it.',
    );
  router
    .route('/feedback')
    .post(
      requireBearer(feedback === undefined ? undefined : deps.token, {
        realm: 'wine-quality-feedback',
        variable: 'FEEDBACK_TOKEN',
        disabled,
      }),
      parseBody(['json'], deps.maxBodyBytes),
      async (req: Request, res: Response) => {
        if (feedback === undefined) throw disabled();
        let input: FeedbackInput;
        try {
          input = parseFeedbackBody(req.body, deps.maxBatchRows);
        } catch (error) {
          metrics.feedback.inc({ result: 'rejected' });
          throw error;
        }
        const items = input.kind === 'single' ? [input.item] : input.items;
        let result;
        try {
          result = await feedback.record(items);
        } catch (error) {
          if (isDbError(error) && error.code === 'DB_UNREACHABLE') {
            throw new ServiceError(
              'FEEDBACK_UNAVAILABLE',
              'PostgreSQL is unreachable; retry later. Nothing was stored.',
              {
                cause: error,
              },
            );
          }
          throw error;
        }
        if (!result.ok) {
          metrics.feedback.inc({ result: 'rejected' });
          throw new ServiceError(
            'UNKNOWN_REQUEST_ID',
            `${result.problems.length} of ${items.length} label(s) do not match a logged prediction; nothing was stored.`,
            { details: result.problems.slice(0, 20).map((p) => problemDetail(input, p)) },
          );
        }
        const results = items.map((item, i) => {
          const status = result.statuses[i] ?? 'unchanged';
          metrics.feedback.inc({ result: status });
          return {
            request_id: item.requestId,
            row: item.row ?? null,
            quality: item.quality,
            status,
          };
        });
        res.json(input.kind === 'single' ? results[0] : { results });
      },
    )
    .all(methodNotAllowed('POST'));
  return router;
}
