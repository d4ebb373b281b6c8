/**
 * Body parsing for the scoring routes on the Express path: the content type is checked first
 * (415), then the shared body reader (body-reader.ts) reads, decodes and parses it — the same
 * reader as the fast lane, so both answer every body alike.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ServiceError } from '../errors';
import { readBody } from './body-reader';
import type { BodyKind } from './body-reader';

const MEDIA: Record<BodyKind, string> = { json: 'application/json', csv: 'text/csv' };

export function parseBody(kinds: readonly BodyKind[], limit: number): RequestHandler {
  const accepted = kinds.map((k) => MEDIA[k]);
  return function bodyParser(req: Request, res: Response, next: NextFunction): void {
    const type = req.headers['content-type'] === undefined ? false : req.is(accepted);
    if (type === false || type === null) {
      next(
        new ServiceError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type must be ${accepted.join(' or ')}; got ${req.headers['content-type'] ?? 'none'}.`,
        ),
      );
      return;
    }
    readBody(req, { limit, kind: type === MEDIA.csv ? 'csv' : 'json' }, (error, body, unread) => {
      if (unread) res.setHeader('Connection', 'close');
      if (error !== undefined) {
        next(error);
        return;
      }
      req.body = body;
      next();
    });
  };
}
