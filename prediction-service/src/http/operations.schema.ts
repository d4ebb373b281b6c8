/**
 * Response bodies of the probes and the management port, for /openapi.json (the routes build
 * them from the model store; these schemas describe them for clients and for schemathesis's
 * response checks).
 */
import { z } from 'zod';

export const HealthResponseSchema = z
  .object({ status: z.literal('ok') })
  .meta({ id: 'HealthResponse' });

export const ReadyResponseSchema = z
  .object({
    status: z.literal('ready'),
    model: z.object({ name: z.string(), version: z.string() }),
  })
  .meta({ id: 'ReadyResponse' });

export const ModelInfoSchema = z
  .looseObject({
    name: z.string(),
    version: z.string().meta({ description: 'Registry version, or sha256:<12 hex> of model.json' }),
    source: z.string().meta({ description: 'bundled, file:<dir>, the MLflow URI, or fallback' }),
    sha256: z.string(),
    kind: z.enum(['tree', 'forest']),
    nTrees: z.int(),
    formatVersion: z.int(),
    features: z.array(z.string()),
    training: z.record(z.string(), z.unknown()),
    loadedAt: z.string(),
    alias: z.string().optional(),
    runId: z.string().optional(),
    modelId: z.string().optional(),
    artifact: z
      .object({ registryUri: z.string(), downloadUri: z.string(), trackingUri: z.string() })
      .optional(),
  })
  .meta({ id: 'ModelInfo' });

export const ModelDescriptionSchema = ModelInfoSchema.extend({
  configured_source: z.string(),
  fallback: z.boolean().meta({ description: 'The bundled model stands in for MLflow' }),
  last_check: z
    .object({
      at: z.string(),
      result: z.enum(['swapped', 'unchanged', 'rejected', 'error']),
      reason: z.string().optional(),
      consecutiveErrors: z.int(),
    })
    .nullable(),
  training_ranges: z.record(z.string(), z.object({ min: z.number(), max: z.number() })),
}).meta({ id: 'ModelDescription' });

export const ReloadResponseSchema = z
  .object({ result: z.enum(['swapped', 'unchanged']), model: ModelInfoSchema })
  .meta({ id: 'ReloadResponse' });
