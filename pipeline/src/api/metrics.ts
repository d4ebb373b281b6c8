/**
 * The pipeline's metrics (convention C11), served by the API. Runs execute in workers on
 * other machines, so run and step numbers are read from the run history (PostgreSQL) and
 * queue depth from Redis at scrape time; webhook outcomes are counted here.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { RunStore } from '../history/run-store';

export const METRIC_NAMES = {
  runs: 'wine_pipeline_runs_total',
  stepDuration: 'wine_pipeline_step_duration_seconds',
  queueJobs: 'wine_pipeline_queue_jobs',
  lastSuccess: 'wine_pipeline_last_success_timestamp_seconds',
  consecutiveFailures: 'wine_pipeline_consecutive_failed_runs',
  running: 'wine_pipeline_runs_in_progress',
  webhook: 'wine_pipeline_webhook_requests_total',
  sourceErrors: 'wine_pipeline_metrics_source_errors_total',
} as const;

/** Step durations span a second (ingest) to tens of minutes (a forest search). */
export const STEP_DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'waiting-children', 'failed'] as const;

export type WebhookOutcome =
  'enqueued' | 'duplicate' | 'cooldown' | 'ignored' | 'unauthorized' | 'malformed' | 'error';

export interface PipelineMetrics {
  readonly registry: Registry;
  readonly webhook: Counter<'outcome'>;
}

export function createMetrics(
  registry: Registry,
  sources: { readonly store: RunStore; readonly queues: readonly Queue[] },
): PipelineMetrics {
  const registers = [registry];
  const sourceErrors = new Counter({
    name: METRIC_NAMES.sourceErrors,
    help: 'Scrapes that could not read the run history (postgres) or the queues (redis).',
    labelNames: ['source'],
    registers,
  });
  // One read of the history per scrape, shared by the metrics that come from it.
  let pending: Promise<Awaited<ReturnType<RunStore['stats']>> | undefined> | undefined;
  const stats = () => {
    pending ??= sources.store
      .stats()
      .catch(() => {
        sourceErrors.inc({ source: 'postgres' });
        return undefined;
      })
      .finally(() => {
        setTimeout(() => (pending = undefined), 100);
      });
    return pending;
  };

  new Counter({
    name: METRIC_NAMES.runs,
    help: 'Finished pipeline runs by trigger (cli, schedule, alert) and result (succeeded, failed).',
    labelNames: ['trigger', 'result'],
    registers,
    async collect() {
      const s = await stats();
      if (s === undefined) return;
      this.reset();
      for (const r of s.runs) this.inc({ trigger: r.trigger, result: r.result }, r.count);
    },
  });
  new Histogram({
    name: METRIC_NAMES.stepDuration,
    help: 'Wall time of pipeline steps that did work (reused outputs are not counted), by step.',
    labelNames: ['step'],
    buckets: STEP_DURATION_BUCKETS,
    registers,
    async collect() {
      const s = await stats();
      if (s === undefined) return;
      this.reset();
      for (const d of s.stepDurations) this.observe({ step: d.step }, d.seconds);
    },
  });
  new Gauge({
    name: METRIC_NAMES.lastSuccess,
    help: 'Unix time of the last successful pipeline run (0: none yet).',
    registers,
    async collect() {
      const s = await stats();
      if (s !== undefined) this.set(s.lastSuccess === null ? 0 : s.lastSuccess.getTime() / 1000);
    },
  });
  new Gauge({
    name: METRIC_NAMES.consecutiveFailures,
    help: 'Pipeline runs that failed since the last successful one.',
    registers,
    async collect() {
      const s = await stats();
      if (s !== undefined) this.set(s.consecutiveFailures);
    },
  });
  new Gauge({
    name: METRIC_NAMES.running,
    help: 'Pipeline runs in progress.',
    registers,
    async collect() {
      const s = await stats();
      if (s !== undefined) this.set(s.running);
    },
  });
  new Gauge({
    name: METRIC_NAMES.queueJobs,
    help: 'Jobs in the pipeline queues by queue and state (queue depth).',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      try {
        const all = await Promise.all(
          sources.queues.map(async (q) => ({
            name: q.name,
            counts: await q.getJobCounts(...QUEUE_STATES),
          })),
        );
        this.reset();
        for (const { name, counts } of all) {
          for (const state of QUEUE_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }
      } catch {
        sourceErrors.inc({ source: 'redis' });
      }
    },
  });
  const webhook = new Counter({
    name: METRIC_NAMES.webhook,
    help: 'Alertmanager webhook calls by outcome (enqueued, duplicate, cooldown, ignored, unauthorized, malformed, error).',
    labelNames: ['outcome'],
    registers,
  });
  return { registry, webhook };
}
