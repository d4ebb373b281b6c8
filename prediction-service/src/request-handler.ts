/**
 * The service's node:http request listener: the scoring fast lane (http/fast-lane.ts) in
 * front of the Express app, sharing its scorer and helmet configuration. Every request the
 * fast lane declines goes to Express untouched.
 */
import type { RequestListener } from 'node:http';
import { createApp } from './app';
import type { AppDeps } from './app';
import { createFastLane } from './http/fast-lane';
import { captureSecurityHeaders, securityMiddleware } from './http/security-headers';
import { createScorer } from './model/scorer';

export function createRequestHandler(deps: AppDeps): RequestListener {
  const scorer = createScorer(deps);
  const security = securityMiddleware();
  const app = createApp(deps, { scorer, security });
  const fastLane = createFastLane({
    scorer,
    metrics: deps.metrics,
    logger: deps.logger,
    maxBodyBytes: deps.config.maxBodyBytes,
    maxBatchRows: deps.config.maxBatchRows,
    securityHeaders: captureSecurityHeaders(security),
  });
  return function handleRequest(req, res) {
    if (!fastLane(req, res)) void app(req, res);
  };
}
