/**
 * The scoring fast lane: POST /predict and POST /invocations with a plain JSON body served
 * straight from node:http. Through Express each of these requests paid ~0.4 ms of CPU in the
 * router, body-parser/type-is/raw-body, response helpers and per-request middleware, three
 * times the prediction itself; the service could not reach its throughput and latency targets.
 *
 * Behaviour is the Express route's, byte for byte: the same body reader (body-reader.ts),
 * validation and scoring (routes/scoring.ts), the same errors (errors.ts), the same headers
 * (X-Request-Id, helmet's set captured at startup, Connection: close for a refused body,
 * Content-Type) and the same duration metric labels. Anything else — other paths or spellings
 * (`/predict/`, query strings), methods, content types (CSV, other charsets), compressed or
 * bodiless requests — is declined by looking at the headers only, before the body is touched,
 * and Express serves it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorBody, toServiceError } from '../errors';
import { histogramRecorder } from '../metric-recorders';
import type { ServiceMetrics } from '../metrics';
import type { Scorer } from '../model/scorer';
import { invocationsResponseText, predictResponseText } from '../routes/scoring';
import { readBody } from './body-reader';
import { requestIdFor } from './request-context';

export interface FastLaneDeps {
  readonly scorer: Scorer;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly maxBatchRows: number;
  readonly securityHeaders: ReadonlyArray<readonly [string, string]>;
}

/** Serves the request and returns true, or returns false without touching it. */
export type FastLane = (req: IncomingMessage, res: ServerResponse) => boolean;

type Respond = (scorer: Scorer, body: unknown, maxRows: number, requestId: string) => string;

const ROUTES: ReadonlyMap<string, Respond> = new Map([
  ['/predict', predictResponseText],
  ['/invocations', invocationsResponseText],
]);

/** JSON in UTF-8 (other charsets are rare and need transcoding: Express path). */
const PLAIN_JSON = /^application\/json(?:\s*;\s*charset=(?:utf-8|"utf-8"))?$/i;

export function createFastLane(deps: FastLaneDeps): FastLane {
  const { scorer, metrics, logger, maxBodyBytes, maxBatchRows } = deps;
  const debug = logger.isLevelEnabled('debug');
  // Flat [name, value, ...] for writeHead: no header object built per request. Slot 1 is
  // the request id and the last slot the length, both filled in per response. A refused
  // body is answered with `Connection: close`, where the Express route sets it.
  const headerTemplate: string[] = ['X-Request-Id', ''];
  for (const [name, value] of deps.securityHeaders) headerTemplate.push(name, value);
  const closingTemplate = [...headerTemplate, 'Connection', 'close'];
  for (const template of [headerTemplate, closingTemplate]) {
    template.push('Content-Type', 'application/json; charset=utf-8', 'Content-Length', '');
  }

  // One recorder per route and status (metric-recorders.ts): no label hashing per request.
  const durations = new Map<string, (seconds: number) => void>();
  function observe(route: string, status: number, seconds: number): void {
    const key = `${route} ${status}`;
    let record = durations.get(key);
    if (record === undefined) {
      record = histogramRecorder(metrics.httpRequestDuration, { method: 'POST', route, status });
      durations.set(key, record);
    }
    record(seconds);
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    start: number,
    id: string,
    status: number,
    text: string,
    close = false,
  ): void {
    // Filled in place: writeHead formats the array into the response head before returning
    // and keeps no reference to it, so one array per template serves every response.
    const headers = close ? closingTemplate : headerTemplate;
    headers[1] = id;
    headers[headers.length - 1] = String(Buffer.byteLength(text));
    res.writeHead(status, headers);
    res.end(text);
    const seconds = (performance.now() - start) / 1000;
    observe(route, status, seconds);
    if (debug) {
      logger.debug(
        { request_id: id, method: req.method, url: req.url, status, ms: seconds * 1000 },
        'request',
      );
    }
  }

  function fail(
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    start: number,
    id: string,
    raw: unknown,
    close = false,
  ): void {
    const error = toServiceError(raw);
    // Same log lines as the Express error handler (app.ts).
    if (error.code === 'INTERNAL') {
      logger.error(
        { err: raw, request_id: id, method: req.method, url: req.url },
        'unhandled error',
      );
    } else {
      logger.debug(
        { request_id: id, code: error.code, message: error.message },
        'request rejected',
      );
    }
    send(req, res, route, start, id, error.status, JSON.stringify(errorBody(error)), close);
  }

  return function fastLane(req, res) {
    if (req.method !== 'POST') return false;
    const route = req.url === undefined ? undefined : ROUTES.get(req.url);
    if (route === undefined) return false;
    const headers = req.headers;
    const type = headers['content-type'];
    if (type === undefined || !PLAIN_JSON.test(type)) return false;
    // Compressed bodies and requests without a body stay with body-parser's handling.
    if (headers['content-encoding'] !== undefined) return false;
    if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      return false;
    }

    const start = performance.now();
    const path = req.url as string;
    const id = requestIdFor(headers['x-request-id']);
    readBody(req, { limit: maxBodyBytes, kind: 'json' }, (error, body, unread) => {
      if (error !== undefined) {
        fail(req, res, path, start, id, error, unread);
        return;
      }
      let text: string;
      try {
        text = route(scorer, body, maxBatchRows, id);
      } catch (raw) {
        fail(req, res, path, start, id, raw);
        return;
      }
      send(req, res, path, start, id, 200, text);
    });
    return true;
  };
}
