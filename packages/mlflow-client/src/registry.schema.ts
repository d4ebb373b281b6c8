import { z } from 'zod';
import { int64, keyValueRecord } from './common.schema';

/** Model-registry replies, in camelCase for callers. */

export const modelVersionStatus = z.enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']);

/** `models:/m-<hex>` is how MLflow 3 records a version registered from a LoggedModel. */
function modelIdFromSource(source: string): string | undefined {
  const match = /^models:\/(m-[0-9a-f]+)\/?$/.exec(source);
  return match?.[1];
}

export const modelVersion = z
  .object({
    name: z.string(),
    version: z.union([z.string(), z.number()]).transform(String),
    creation_timestamp: int64.optional(),
    last_updated_timestamp: int64.optional(),
    current_stage: z.string().optional(),
    description: z.string().optional(),
    source: z.string().optional(),
    run_id: z.string().optional(),
    status: modelVersionStatus.optional(),
    status_message: z.string().optional(),
    tags: keyValueRecord,
    run_link: z.string().optional(),
    aliases: z.array(z.string()).optional(),
    // Declared by the 3.x proto but not filled by the OSS 3.17 server (a TODO in to_proto).
    model_id: z.string().optional(),
  })
  .transform((v) => {
    const source = v.source ?? '';
    const modelId = v.model_id ?? modelIdFromSource(source);
    return {
      name: v.name,
      version: v.version,
      creationTimestamp: v.creation_timestamp,
      lastUpdatedTimestamp: v.last_updated_timestamp,
      description: v.description ?? '',
      source,
      runId: v.run_id === '' ? undefined : v.run_id,
      status: v.status ?? 'READY',
      statusMessage: v.status_message,
      tags: v.tags,
      aliases: v.aliases ?? [],
      ...(modelId === undefined ? {} : { modelId }),
    };
  });

export const registeredModel = z
  .object({
    name: z.string(),
    creation_timestamp: int64.optional(),
    last_updated_timestamp: int64.optional(),
    description: z.string().optional(),
    latest_versions: z.array(modelVersion).optional(),
    tags: keyValueRecord,
    aliases: z
      .array(z.object({ alias: z.string(), version: z.union([z.string(), z.number()]) }))
      .optional(),
  })
  .transform((m) => ({
    name: m.name,
    creationTimestamp: m.creation_timestamp,
    lastUpdatedTimestamp: m.last_updated_timestamp,
    description: m.description ?? '',
    latestVersions: m.latest_versions ?? [],
    tags: m.tags,
    aliases: Object.fromEntries((m.aliases ?? []).map((a) => [a.alias, String(a.version)])),
  }));

export const registeredModelReply = z.object({ registered_model: registeredModel });
export const modelVersionReply = z.object({ model_version: modelVersion });
export const searchModelVersionsReply = z.object({
  model_versions: z.array(modelVersion).optional().default([]),
  next_page_token: z.string().optional(),
});
export const downloadUriReply = z.object({ artifact_uri: z.string() });

export type ModelVersionStatus = z.output<typeof modelVersionStatus>;
export type ModelVersion = z.output<typeof modelVersion>;
export type RegisteredModel = z.output<typeof registeredModel>;
