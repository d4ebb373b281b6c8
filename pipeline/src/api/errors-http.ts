/** The API's error bodies: `{ error: { code, message, details } }`, never a stack trace. */
import type { ErrorRequestHandler, Response } from 'express';
import { PipelineError } from '../errors';

export function sendError(res: Response, error: PipelineError): void {
  res.status(error.status).json({
    error: { code: error.code, message: error.message, details: error.details },
  });
}

export function errorHandler(log: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (error instanceof PipelineError) {
      sendError(res, error);
      return;
    }
    const type = (error as { type?: unknown } | null)?.type;
    if (type === 'entity.parse.failed') {
      sendError(res, new PipelineError('WEBHOOK_MALFORMED', 'The request body is not valid JSON.'));
      return;
    }
    if (type === 'entity.too.large') {
      sendError(res, new PipelineError('WEBHOOK_MALFORMED', 'The request body is too large.'));
      return;
    }
    log(error);
    sendError(res, new PipelineError('API_INTERNAL', 'Internal server error.'));
  };
}
