/**
 * What an Alertmanager notification asks of the pipeline, pure: retrain for firing alerts
 * that are meant to (label action="retrain", as prometheus/rules sets on DatasetDrift and
 * LiveRmseHigh, or a name in PIPELINE_RETRAIN_ALERTS); nothing for resolved or other alerts.
 */
import { createHash } from 'node:crypto';
import type { DeduplicationOptions } from 'bullmq';
import type { AlertmanagerPayload } from './alertmanager.schema';

export type WebhookDecision =
  | { readonly action: 'ignore'; readonly reason: string }
  | { readonly action: 'retrain'; readonly alerts: readonly string[] };

export function decide(
  payload: AlertmanagerPayload,
  retrainAlerts: readonly string[],
): WebhookDecision {
  if (payload.status === 'resolved') {
    return { action: 'ignore', reason: 'the alert group is resolved' };
  }
  const retraining = payload.alerts.filter(
    (a) =>
      a.status === 'firing' &&
      (a.labels['action'] === 'retrain' || retrainAlerts.includes(a.labels['alertname'] ?? '')),
  );
  if (retraining.length === 0) {
    return {
      action: 'ignore',
      reason: `no firing alert asks for retraining (label action="retrain" or one of ${retrainAlerts.join(', ')})`,
    };
  }
  return {
    action: 'retrain',
    alerts: [...new Set(retraining.map((a) => a.labels['alertname'] ?? '?'))].sort(),
  };
}

/** The shared deduplication id of alert-triggered runs while the cool-down holds. */
export const ALERT_DEDUP_ID = 'alert-retrain';

/**
 * BullMQ deduplication for an alert-triggered run. With a cool-down, one id for every alert
 * group, kept `cooldownMs` after the run was added: Alertmanager's re-sends of the group and
 * any other alert in that window add nothing. Without one, the id is the group key's and is
 * held only while that group's run is in flight.
 */
export function alertDeduplication(groupKey: string, cooldownMs: number): DeduplicationOptions {
  if (cooldownMs > 0) return { id: ALERT_DEDUP_ID, ttl: cooldownMs };
  return { id: `alert-${createHash('sha256').update(groupKey).digest('hex').slice(0, 32)}` };
}
