/**
 * Per-request bookkeeping: request id (inbound X-Request-Id if sane, else a fresh UUID,
 * echoed in the response), duration metric by route template, a debug-level access log, and
 * closing the connection of a request answered before its body was read.
 * Nothing is logged at info per request: logging is the costliest thing on the hot path.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { methodLabel } from '../metrics';
import type { ServiceMetrics } from '../metrics';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the request-context middleware before any route runs. */
    id: string;
  }
}

/**
 * A fresh request id: a version 7 UUID (RFC 9562; Node ≥ 24.16), whose leading 48 bits are
 * the time in ms, so ids sort by creation. The prediction log's (request_id, row_index) index
 * then takes new rows at its right edge, where PostgreSQL's B-tree skips the descent from the
 * root: random version 4 ids made PostgreSQL's COPY ~2 µs more CPU per logged row, a quarter
 * of its cost, on the same cores as the service (bench/profiles/service-tail.md). Older Node
 * 24 releases fall back to version 4.
 */
const freshId: () => string =
  (crypto as Partial<Pick<typeof crypto, 'randomUUIDv7'>>).randomUUIDv7 ?? crypto.randomUUID;

/** The inbound X-Request-Id if it is sane, else a fresh UUID (also used by the fast lane). */
export function requestIdFor(inbound: string | string[] | undefined): string {
  return typeof inbound === 'string' && SANE_ID.test(inbound) ? inbound : freshId();
}

export function requestContext(metrics: ServiceMetrics, logger: Logger) {
  const debug = logger.isLevelEnabled('debug');
  return function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
    const start = process.hrtime.bigint();
    const id = requestIdFor(req.headers['x-request-id']);
    req.id = id;
    res.setHeader('X-Request-Id', id);
    res.once('finish', () => {
      // Node would read the rest of an unread body off the wire to reuse the connection;
      // an upload that never ends would keep a core busy until the request timeout.
      if (!req.complete) req.socket.destroySoon();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // The route template, never the raw URL: unmatched paths would explode label cardinality.
      const route = (req.route as { path?: string } | undefined)?.path;
      const status = res.statusCode;
      metrics.httpRequestDuration.observe(
        {
          method: methodLabel(req.method),
          route: route === undefined ? 'unmatched' : req.baseUrl + route,
          status,
        },
        seconds,
      );
      if (debug) {
        logger.debug(
          { request_id: id, method: req.method, url: req.originalUrl, status, ms: seconds * 1000 },
          'request',
        );
      }
    });
    next();
  };
}
