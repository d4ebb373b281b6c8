/**
 * Body parsing for the scoring routes: the content type is checked first (415), then
 * body-parser reads at most `limit` bytes (413) and parses (400). Its errors are translated
 * into ServiceErrors by the error handler, never surfacing as 5xx.
 */
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ServiceError } from '../errors';

export type BodyKind = 'json' | 'csv';

const MEDIA: Record<BodyKind, string> = { json: 'application/json', csv: 'text/csv' };

export function parseBody(kinds: readonly BodyKind[], limit: number): RequestHandler[] {
  const accepted = kinds.map((k) => MEDIA[k]);
  const parsers: RequestHandler[] = [];
  if (kinds.includes('json')) parsers.push(express.json({ limit, type: MEDIA.json }));
  if (kinds.includes('csv')) parsers.push(express.text({ limit, type: MEDIA.csv }));
  const checkType = (req: Request, _res: Response, next: NextFunction): void => {
    if (req.is(accepted) === false || req.headers['content-type'] === undefined) {
      next(
        new ServiceError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type must be ${accepted.join(' or ')}; got ${req.headers['content-type'] ?? 'none'}.`,
        ),
      );
      return;
    }
    next();
  };
  return [checkType, ...parsers];
}
