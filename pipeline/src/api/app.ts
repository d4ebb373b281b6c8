/**
 * The pipeline API (default 127.0.0.1:9699, the admin network only): the Alertmanager
 * webhook, bull-board, run history JSON, /metrics for Prometheus, /health and /ready.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';
import { PipelineError } from '../errors';
import { requireAdmin, requireWebhookToken } from './auth';
import { errorHandler, sendError } from './errors-http';
import type { PipelineMetrics } from './metrics';
import { runsRouter } from './runs-routes';
import { alertmanagerWebhook, type WebhookDeps } from './webhook';

export const BOARD_PATH = '/admin/queues';

export interface ApiDeps extends WebhookDeps {
  readonly queues: readonly Queue[];
  readonly webhookToken: string | undefined;
  readonly adminToken: string | undefined;
  readonly metrics: PipelineMetrics;
  /** Redis and PostgreSQL answer. */
  readonly ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const result = await deps.ready();
    res.status(result.ok ? 200 : 503).json(result);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  // Authentication before the body is read: an unauthenticated caller costs nothing.
  app.post(
    '/hooks/alertmanager',
    requireWebhookToken(deps.webhookToken),
    express.json({ limit: '1mb', type: () => true }),
    alertmanagerWebhook(deps),
  );

  app.use('/runs', requireAdmin(deps.adminToken), runsRouter(deps.store));

  const board = new ExpressAdapter();
  board.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: deps.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'wine pipeline' } },
  });
  app.use(BOARD_PATH, requireAdmin(deps.adminToken), board.getRouter() as express.Router);

  app.use((_req, res) => {
    sendError(res, new PipelineError('API_NOT_FOUND', 'No such route.'));
  });
  app.use(
    errorHandler((error) => {
      deps.log({ error: error instanceof Error ? error.stack : String(error) }, 'API error');
    }),
  );
  return app;
}
