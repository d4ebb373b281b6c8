/**
 * POST /hooks/alertmanager: a firing drift or live-error alert group enqueues one retraining
 * run; re-sends of the group and alerts within the cool-down are deduplicated by BullMQ;
 * resolved and unrelated alerts do nothing. Every outcome is answered 2xx so Alertmanager
 * does not retry it; malformed and unauthenticated calls get a clear 4xx.
 */
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { enqueueRun, newRunId } from '../engine/enqueue';
import { PipelineError } from '../errors';
import type { RunStore } from '../history/run-store';
import type { RunParams } from '../steps/step-io.schema';
import { alertmanagerPayloadSchema } from './alertmanager.schema';
import type { PipelineMetrics } from './metrics';
import { alertDeduplication, decide } from './webhook-decision';

export interface WebhookDeps {
  readonly runs: Queue;
  readonly store: RunStore;
  readonly params: () => RunParams;
  readonly retrainAlerts: readonly string[];
  readonly cooldownMs: number;
  readonly metrics: PipelineMetrics;
  readonly log: (fields: Record<string, unknown>, message: string) => void;
}

export function alertmanagerWebhook(deps: WebhookDeps): RequestHandler {
  return async (req, res) => {
    const parsed = alertmanagerPayloadSchema.safeParse(req.body);
    if (!parsed.success) {
      deps.metrics.webhook.inc({ outcome: 'malformed' });
      throw new PipelineError(
        'WEBHOOK_MALFORMED',
        'The body is not an Alertmanager webhook payload (version 4).',
        {
          details: parsed.error.issues
            .slice(0, 10)
            .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`),
        },
      );
    }
    const payload = parsed.data;
    const decision = decide(payload, deps.retrainAlerts);
    if (decision.action === 'ignore') {
      deps.metrics.webhook.inc({ outcome: 'ignored' });
      res.status(200).json({ status: 'ignored', reason: decision.reason });
      return;
    }
    const runId = newRunId();
    const result = await enqueueRun(
      { runs: deps.runs, store: deps.store },
      { runId, trigger: 'alert', groupKey: payload.groupKey, params: deps.params() },
      alertDeduplication(payload.groupKey, deps.cooldownMs),
    ).catch((cause: unknown) => {
      deps.metrics.webhook.inc({ outcome: 'error' });
      throw new PipelineError(
        'PIPELINE_REDIS_UNAVAILABLE',
        'Could not enqueue the retraining run (Redis).',
        { cause },
      );
    });
    if (result.status === 'enqueued') {
      deps.metrics.webhook.inc({ outcome: 'enqueued' });
      deps.log(
        { runId, groupKey: payload.groupKey, alerts: decision.alerts },
        'alert: retraining enqueued',
      );
      res.status(202).json({ status: 'enqueued', runId, alerts: decision.alerts });
      return;
    }
    const holder = await deps.runs.getJob(result.existingJobId);
    const sameGroup =
      (holder?.data as { groupKey?: unknown } | undefined)?.groupKey === payload.groupKey;
    const outcome = sameGroup ? 'duplicate' : 'cooldown';
    deps.metrics.webhook.inc({ outcome });
    res.status(200).json({
      status: outcome,
      runId: result.existingJobId,
      reason: sameGroup
        ? 'this alert group already has a retraining run'
        : `another alert started run ${result.existingJobId} within the cool-down (PIPELINE_COOLDOWN_MIN)`,
    });
  };
}
