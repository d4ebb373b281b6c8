/**
 * What a pipeline worker does with batch jobs: a part scores its byte ranges into
 * part-NNNNN.csv; the manifest job (after every part) checks them and writes manifest.json.
 * Models are loaded once per worker and pinned run (URI + sha256), not once per part.
 */
import { type Job, UnrecoverableError } from 'bullmq';
import { isAzureError, type Storage } from '@wine/azure';
import {
  isBatchError,
  partResultSchema,
  scorePart,
  writeManifest,
  type BatchModel,
  type PartResult,
} from '@wine/batch';
import { isModelError } from '@wine/model';
import { loadBatchModel, type BatchModelDeps } from './batch-model';
import { MANIFEST_JOB, manifestJobDataSchema, partJobDataSchema, PART_JOB } from './batch-jobs';

export interface BatchWorkerDeps extends BatchModelDeps {
  readonly storage: Storage;
  readonly log: { info(message: string, fields?: Record<string, unknown>): void };
}

/** Bad data, a wrong model or a missing input cannot be fixed by retrying: fail the run now. */
function permanent(error: unknown): boolean {
  if (isBatchError(error) || isModelError(error)) return true;
  return (
    isAzureError(error) &&
    ['LOCATION_NOT_FOUND', 'AZURE_FORBIDDEN', 'AZURE_NOT_CONFIGURED', 'LOCATION_INVALID'].includes(
      error.code,
    )
  );
}

export function createBatchProcessor(deps: BatchWorkerDeps) {
  const models = new Map<string, Promise<BatchModel>>();
  const modelFor = (uri: string, sha256: string): Promise<BatchModel> => {
    const key = `${uri}#${sha256}`;
    let found = models.get(key);
    if (found === undefined) {
      found = loadBatchModel(uri, deps, sha256).then((loaded) => loaded.model);
      found.catch(() => models.delete(key));
      if (models.size >= 4) models.clear();
      models.set(key, found);
    }
    return found;
  };

  return async (
    job: Job,
  ): Promise<PartResult | { manifest: string; rows: number; rejected: number }> => {
    try {
      if (job.name === PART_JOB) {
        const data = partJobDataSchema.parse(job.data);
        const model = await modelFor(data.model.uri, data.model.sha256);
        const result = await scorePart(data.part, { storage: deps.storage, model });
        deps.log.info('batch part scored', {
          batch: data.batchId,
          part: result.name,
          rows: result.rows,
          rejected: result.rejected,
        });
        return result;
      }
      if (job.name === MANIFEST_JOB) {
        const data = manifestJobDataSchema.parse(job.data);
        const children = Object.values(await job.getChildrenValues());
        const results = children.map((value) => partResultSchema.parse(value));
        const manifest = await writeManifest(data, results, { storage: deps.storage });
        deps.log.info('batch manifest written', {
          batch: data.batchId,
          output: data.output,
          rows: manifest.rows,
        });
        return { manifest: data.output, rows: manifest.rows, rejected: manifest.rejected };
      }
      throw new UnrecoverableError(`unknown batch job ${job.name}`);
    } catch (error) {
      if (permanent(error)) {
        const e = error as Error & { code?: string };
        throw new UnrecoverableError(`[${e.code ?? 'ERROR'}] ${e.message}`);
      }
      throw error;
    }
  };
}
