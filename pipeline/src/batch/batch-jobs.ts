/**
 * Partitioned batch scoring on the pipeline's BullMQ infrastructure: one flow per run — a
 * `manifest` job on the batch queue whose children are the `part` jobs — so any number of
 * `pnpm run pipeline -- worker` processes on any machines take parts, and whichever takes
 * the manifest (BullMQ runs it after the last part) writes manifest.json. Job ids derive from
 * the batch id, so re-adding a flow adds nothing.
 */
import { randomBytes } from 'node:crypto';
import type { FlowJob } from 'bullmq';
import { partJobSchema, type PartJob } from '@wine/batch';
import { z } from 'zod';
import { BATCH_QUEUE, KEEP, type EngineSettings } from '../engine/queues';

export { BATCH_QUEUE };
export const PART_JOB = 'part';
export const MANIFEST_JOB = 'manifest';

export const batchModelSchema = z.object({
  uri: z.string(),
  version: z.string(),
  sha256: z.string(),
});

export const partJobDataSchema = z.object({
  batchId: z.string(),
  model: batchModelSchema,
  part: partJobSchema,
});
export type PartJobData = z.infer<typeof partJobDataSchema>;

export const manifestJobDataSchema = z.object({
  batchId: z.string(),
  model: batchModelSchema,
  output: z.string(),
  input: z.array(z.string()),
  header: z.string(),
  parts: z.number().int().positive(),
});
export type ManifestJobData = z.infer<typeof manifestJobDataSchema>;

export function newBatchId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `b${stamp}-${randomBytes(3).toString('hex')}`;
}

export const manifestJobId = (batchId: string): string => `${batchId}.manifest`;
export const partJobId = (batchId: string, index: number): string =>
  `${batchId}.part-${String(index).padStart(5, '0')}`;

export function batchFlow(
  manifest: ManifestJobData,
  parts: readonly PartJob[],
  settings: EngineSettings,
): FlowJob {
  const opts = (jobId: string) => ({
    jobId,
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs, jitter: 0.2 },
    removeOnComplete: KEEP,
    removeOnFail: KEEP,
  });
  return {
    name: MANIFEST_JOB,
    queueName: BATCH_QUEUE,
    data: manifest,
    opts: opts(manifestJobId(manifest.batchId)),
    children: parts.map((part) => ({
      name: PART_JOB,
      queueName: BATCH_QUEUE,
      data: { batchId: manifest.batchId, model: manifest.model, part } satisfies PartJobData,
      opts: { ...opts(partJobId(manifest.batchId, part.index)), failParentOnFailure: true },
    })),
  };
}
