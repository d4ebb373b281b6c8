/** Run history as JSON (admin): GET /runs?limit=&status=, GET /runs/:id. */
import { Router } from 'express';
import { z } from 'zod';
import { PipelineError } from '../errors';
import type { RunStore } from '../history/run-store';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']).optional(),
});

export function runsRouter(store: RunStore): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success) {
      throw new PipelineError(
        'WEBHOOK_MALFORMED',
        'Bad query: limit is 1–500, status one of queued|running|succeeded|failed.',
      );
    }
    res.json({ runs: await store.listRuns(query.data) });
  });
  router.get('/:id', async (req, res) => {
    const run = await store.getRun(req.params.id);
    if (run === undefined)
      throw new PipelineError('PIPELINE_RUN_NOT_FOUND', `No run ${req.params.id}.`);
    res.json(run);
  });
  return router;
}
