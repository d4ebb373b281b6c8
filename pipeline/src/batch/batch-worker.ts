/** The batch queue's BullMQ worker, with the pipeline workers' lock and stall settings. */
import { Worker } from 'bullmq';
import { connection, KEEP } from '../engine/queues';
import type { WorkerSettings } from '../engine/worker';
import { BATCH_QUEUE } from './batch-jobs';
import { createBatchProcessor, type BatchWorkerDeps } from './batch-processor';

export function startBatchWorker(deps: BatchWorkerDeps, settings: WorkerSettings): Worker {
  const worker = new Worker(BATCH_QUEUE, createBatchProcessor(deps), {
    connection: connection(settings.redisUrl),
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    removeOnComplete: KEEP,
    removeOnFail: KEEP,
  });
  worker.on('error', (error) => {
    deps.log.info('batch worker error (Redis connection?)', { error: error.message });
  });
  return worker;
}
