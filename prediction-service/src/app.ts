/**
 * The Express application, built from its dependencies so tests run it in-process and
 * main.ts wires the real ones (convention C6). No module-level state.
 */
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config';
import { ServiceError, errorBody, toServiceError } from './errors';
import { docsRoutes } from './http/docs';
import { buildOpenApiDocument } from './http/openapi.schema';
import { requestContext } from './http/request-context';
import { securityMiddleware } from './http/security-headers';
import type { ServiceMetrics } from './metrics';
import type { ModelStore } from './model/model-store';
import { createScorer } from './model/scorer';
import type { Scorer } from './model/scorer';
import type { PredictionSink } from './prediction-sink';
import { operationsRoutes } from './routes/operations';
import { scoringRoutes } from './routes/scoring';

export type AppConfig = Pick<Config, 'adminToken' | 'maxBodyBytes' | 'maxBatchRows'>;

export interface AppDeps {
  readonly store: ModelStore;
  readonly metrics: ServiceMetrics;
  readonly sink: PredictionSink;
  readonly logger: Logger;
  readonly config: AppConfig;
  /** Overrides /metrics output (cluster mode aggregates all workers); defaults to this registry. */
  readonly collectMetrics?: () => Promise<{ contentType: string; body: string }>;
  readonly onAdminReload?: () => void;
  /** Service version for /openapi.json. */
  readonly version?: string;
}

/**
 * `shared` lets the fast lane (request-handler.ts) use the same scorer (one set of cached
 * metric children) and the same helmet configuration as the Express routes.
 */
export function createApp(
  deps: AppDeps,
  shared: { scorer?: Scorer; security?: ReturnType<typeof securityMiddleware> } = {},
): Express {
  const { store, metrics, sink, logger, config } = deps;
  const app = express();
  // Weak ETags hash every response body: wasted work for prediction responses.
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.set('query parser', 'simple');

  app.use(requestContext(metrics, logger));
  app.use(shared.security ?? securityMiddleware());

  const openapi = buildOpenApiDocument({
    maxBatchRows: config.maxBatchRows,
    maxBodyBytes: config.maxBodyBytes,
    version: deps.version ?? '0.1.0',
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(docsRoutes());

  const registry = metrics.registry;
  app.use(
    scoringRoutes({
      scorer: shared.scorer ?? createScorer({ store, metrics, sink }),
      maxBodyBytes: config.maxBodyBytes,
      maxBatchRows: config.maxBatchRows,
    }),
  );
  app.use(
    operationsRoutes({
      store,
      adminToken: config.adminToken,
      collectMetrics:
        deps.collectMetrics ??
        (async () => ({ contentType: registry.contentType, body: await registry.metrics() })),
      ...(deps.onAdminReload === undefined ? {} : { onAdminReload: deps.onAdminReload }),
    }),
  );

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new ServiceError('NOT_FOUND', `No route ${req.method} ${req.path}. See /docs.`));
  });

  // Express recognises an error handler by its four parameters, so `_next` must stay.
  app.use((raw: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = toServiceError(raw);
    if (error.code === 'INTERNAL') {
      logger.error(
        { err: raw, request_id: req.id, method: req.method, url: req.originalUrl },
        'unhandled error',
      );
    } else {
      logger.debug(
        { request_id: req.id, code: error.code, message: error.message },
        'request rejected',
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(error.status).json(errorBody(error));
  });

  return app;
}
