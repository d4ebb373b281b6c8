/**
 * The Express applications, built from their dependencies so tests run them in-process and
 * main.ts wires the real ones (convention C6). No module-level state.
 *
 * Two apps, two ports: the public API (scoring, probes, docs) and the management app
 * (metrics, model description, admin reload), which must not be reachable from the internet.
 */
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config';
import { ServiceError, errorBody, toServiceError } from './errors';
import { docsRoutes } from './http/docs';
import { buildManagementOpenApiDocument, buildOpenApiDocument } from './http/openapi.schema';
import { requestContext } from './http/request-context';
import { securityMiddleware } from './http/security-headers';
import type { ServiceMetrics } from './metrics';
import type { ModelStore } from './model/model-store';
import { createScorer } from './model/scorer';
import type { Scorer } from './model/scorer';
import type { FeedbackStore } from './postgres-log';
import type { PredictionSink } from './prediction-sink';
import { feedbackRoutes } from './routes/feedback';
import { managementRoutes, probeRoutes } from './routes/operations';
import { scoringRoutes } from './routes/scoring';

export type AppConfig = Pick<Config, 'adminToken' | 'maxBodyBytes' | 'maxBatchRows'> &
  Partial<Pick<Config, 'feedbackToken'>>;

export interface AppDeps {
  readonly store: ModelStore;
  readonly metrics: ServiceMetrics;
  readonly sink: PredictionSink;
  /** Where POST /feedback stores labels; undefined when the prediction log is off. */
  readonly feedback?: FeedbackStore;
  readonly logger: Logger;
  readonly config: AppConfig;
  /** Overrides /metrics output (cluster mode aggregates all workers); defaults to this registry. */
  readonly collectMetrics?: () => Promise<{ contentType: string; body: string }>;
  readonly onAdminReload?: () => void;
  /** Service version for /openapi.json. */
  readonly version?: string;
}

type Security = ReturnType<typeof securityMiddleware>;

/** Settings, request id + duration metric and security headers shared by both apps. */
function baseApp(deps: AppDeps, security: Security): Express {
  const app = express();
  // Weak ETags hash every response body: wasted work for prediction responses.
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.set('query parser', 'simple');
  app.use(requestContext(deps.metrics, deps.logger));
  app.use(security);
  return app;
}

/** 404 for anything unrouted, and every error as the JSON error body. */
function finish(app: Express, logger: Logger, routesDoc: string): Express {
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new ServiceError('NOT_FOUND', `No route ${req.method} ${req.path}. See ${routesDoc}.`));
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
    // Answered before its body was read (wrong type, unknown route): close rather than drain.
    if (!req.complete) res.setHeader('Connection', 'close');
    res.status(error.status).json(errorBody(error));
  });
  return app;
}

/**
 * The public API. `shared` lets the fast lane (request-handler.ts) use the same scorer (one
 * set of cached metric children) and the same helmet configuration as the Express routes.
 */
export function createApp(
  deps: AppDeps,
  shared: { scorer?: Scorer; security?: Security } = {},
): Express {
  const { store, metrics, sink, config } = deps;
  const app = baseApp(deps, shared.security ?? securityMiddleware());
  const openapi = buildOpenApiDocument({
    maxBatchRows: config.maxBatchRows,
    maxBodyBytes: config.maxBodyBytes,
    version: deps.version ?? '0.1.0',
    feedback: deps.feedback !== undefined && config.feedbackToken !== undefined,
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(docsRoutes());
  app.use(
    scoringRoutes({
      scorer: shared.scorer ?? createScorer({ store, metrics, sink }),
      maxBodyBytes: config.maxBodyBytes,
      maxBatchRows: config.maxBatchRows,
    }),
  );
  app.use(
    feedbackRoutes({
      feedback: deps.feedback,
      token: config.feedbackToken,
      metrics,
      maxBodyBytes: config.maxBodyBytes,
      maxBatchRows: config.maxBatchRows,
    }),
  );
  app.use(probeRoutes(store));
  return finish(app, deps.logger, '/docs');
}

/** The management port: metrics, the served model, the admin reload, and the probes. */
export function createManagementApp(deps: AppDeps): Express {
  const { store, metrics, config } = deps;
  const app = baseApp(deps, securityMiddleware());
  const openapi = buildManagementOpenApiDocument({
    version: deps.version ?? '0.1.0',
    admin: config.adminToken !== undefined,
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  const registry = metrics.registry;
  app.use(
    managementRoutes({
      store,
      adminToken: config.adminToken,
      collectMetrics:
        deps.collectMetrics ??
        (async () => ({ contentType: registry.contentType, body: await registry.metrics() })),
      ...(deps.onAdminReload === undefined ? {} : { onAdminReload: deps.onAdminReload }),
    }),
  );
  app.use(probeRoutes(store));
  return finish(app, deps.logger, '/openapi.json');
}
