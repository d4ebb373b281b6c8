/**
 * Probes (/health, /ready: on both ports) and the operations endpoints (/metrics, /model,
 * /model/reload: management port only, because they reveal the tracking URI and run ids and
 * let anyone who can reach them trigger downloads).
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { ServiceError } from '../errors';
import { requireAdmin } from '../http/admin-auth';
import type { ModelStore } from '../model/model-store';
import { methodNotAllowed } from './method-not-allowed';

export interface ManagementDeps {
  store: ModelStore;
  adminToken: string | undefined;
  /** Prometheus exposition text (cluster mode: aggregated over all workers). */
  collectMetrics: () => Promise<{ contentType: string; body: string }>;
  /** Called after an admin reload here, so other workers can reload too (cluster mode). */
  onAdminReload?: () => void;
}

export function probeRoutes(store: ModelStore): Router {
  const router = Router();

  router
    .route('/health')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/ready')
    .get((_req, res) => {
      const model = store.current();
      if (model === undefined) {
        throw new ServiceError('MODEL_NOT_READY', 'No model is loaded yet.');
      }
      res.json({ status: 'ready', model: { name: model.info.name, version: model.info.version } });
    })
    .all(methodNotAllowed('GET'));

  return router;
}

export function managementRoutes(deps: ManagementDeps): Router {
  const { store } = deps;
  const router = Router();

  router
    .route('/metrics')
    .get(async (_req, res) => {
      const { contentType, body } = await deps.collectMetrics();
      res.setHeader('Content-Type', contentType);
      res.send(body);
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/model')
    .get((_req, res) => {
      const model = store.current();
      if (model === undefined) throw new ServiceError('MODEL_NOT_READY', 'No model is loaded yet.');
      res.json({
        ...model.info,
        configured_source: store.source.describe(),
        fallback: store.usingFallback(),
        last_check: store.lastCheck() ?? null,
        training_ranges: model.ranges,
      });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/model/reload')
    .post(requireAdmin(deps.adminToken), async (_req: Request, res: Response) => {
      const outcome = await store.reload({ force: true });
      if (outcome.result === 'error') {
        throw new ServiceError(
          'MODEL_SOURCE_UNAVAILABLE',
          `${store.source.describe()} could not be reached; ${
            outcome.model === undefined
              ? 'no model is loaded'
              : `${outcome.model.version} keeps serving`
          }.`,
          { details: [{ path: 'source', message: outcome.reason ?? 'unavailable' }] },
        );
      }
      if (outcome.result === 'rejected') {
        throw new ServiceError(
          'MODEL_RELOAD_REJECTED',
          `The candidate from ${store.source.describe()} was rejected; ${
            outcome.model === undefined
              ? 'no model is loaded'
              : `${outcome.model.version} keeps serving`
          }.`,
          { details: [{ path: 'model', message: outcome.reason ?? 'invalid candidate' }] },
        );
      }
      deps.onAdminReload?.();
      res.json({ result: outcome.result, model: outcome.model });
    })
    .all(methodNotAllowed('POST'));

  return router;
}
