/**
 * GET /openapi.json on each port (the public API, and the management port's operations
 * endpoints). Records come from the zod schema that validates them; envelopes and limits from
 * request-docs.schema.ts (zod v4's native JSON Schema output is draft 2020-12, which OpenAPI
 * 3.1 uses as its schema dialect).
 *
 * The document describes this process as configured: batch limits are MAX_BATCH_ROWS, and
 * /feedback and /model/reload appear only when enabled (a disabled one answers 404 to every
 * request, whatever its credentials). CI runs schemathesis with every check against both.
 */
import { z } from 'zod';
import { ERROR_DOCS, MAX_ERROR_DETAILS, SERVICE_ERROR_CODES } from '../errors';
import {
  FeedbackItemSchema,
  FeedbackResponseSchema,
  FeedbackResultSchema,
} from './feedback.schema';
import { InvocationsResponseSchema } from './invocations.schema';
import {
  HealthResponseSchema,
  ModelDescriptionSchema,
  ModelInfoSchema,
  ReadyResponseSchema,
  ReloadResponseSchema,
} from './operations.schema';
import {
  ModelRefSchema,
  PredictBatchResponseSchema,
  PredictSingleResponseSchema,
} from './predict.schema';
import { WineRecordSchema } from './record.schema';
import { csvBodySchema, requestBodySchemas } from './request-docs.schema';

const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(SERVICE_ERROR_CODES),
      message: z.string(),
      details: z
        .array(
          z.object({
            path: z.string().meta({ description: 'Where: e.g. instances[3].ph' }),
            message: z.string(),
          }),
        )
        .max(MAX_ERROR_DETAILS)
        .meta({
          description: `At most ${MAX_ERROR_DETAILS} entries: examples, not every problem.`,
        }),
      details_omitted: z
        .int()
        .min(1)
        .optional()
        .meta({ description: 'How many more problems were found than `details` lists.' }),
    }),
  })
  .meta({ id: 'ErrorBody' });

type Json = Record<string, unknown>;

/** Named schemas → `components.schemas`, references between them resolved. */
function components(named: Record<string, z.ZodType>): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, {
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(out.schemas).map(([id, schema]) => {
      const rest = { ...schema };
      delete rest['$schema'];
      delete rest['$id'];
      return [id, rest];
    }),
  );
}

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: Json): Json => ({ content: { 'application/json': { schema } } });
const ok = (description: string, id: string): Json => ({ description, ...json(ref(id)) });
const errors = (...statuses: number[]): Record<string, Json> =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { description: 'Error', ...json(ref('ErrorBody')) }]),
  );

function probePaths(): Record<string, Json> {
  return {
    '/health': {
      get: { summary: 'Liveness', responses: { '200': ok('Alive', 'HealthResponse') } },
    },
    '/ready': {
      get: {
        summary: 'Readiness: a model is loaded',
        responses: { '200': ok('Ready', 'ReadyResponse'), ...errors(503) },
      },
    },
  };
}

export function buildOpenApiDocument(options: {
  maxBatchRows: number;
  maxBodyBytes: number;
  version: string;
  /** POST /feedback is enabled (prediction log on and FEEDBACK_TOKEN set). */
  feedback?: boolean;
}): Json {
  const maxRows = options.maxBatchRows;
  const limits = `Bodies up to ${options.maxBodyBytes} bytes, batches up to ${maxRows} rows.`;
  const bodies = requestBodySchemas(maxRows);
  const FeedbackBatch = z
    .strictObject({ feedback: z.array(FeedbackItemSchema).min(1).max(maxRows) })
    .meta({ description: 'Several labels stored together (all or none).' });
  const feedback = options.feedback ?? false;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Wine quality prediction service',
      version: options.version,
      description:
        'Predicts the sensory quality (0–10) of vinho verde wines. ' +
        limits +
        '\n\nError codes:\n' +
        SERVICE_ERROR_CODES.map((c) => `- \`${c}\`: ${ERROR_DOCS[c]}`).join('\n'),
    },
    paths: {
      '/predict': {
        post: {
          summary: 'Score one wine or a batch ({"instances": [...]})',
          requestBody: { required: true, ...json(ref('PredictRequest')) },
          responses: {
            '200': {
              description: 'Prediction(s)',
              ...json({ oneOf: [ref('PredictSingleResponse'), ref('PredictBatchResponse')] }),
            },
            ...errors(400, 413, 415, 422, 503),
          },
        },
      },
      '/invocations': {
        post: {
          summary:
            'MLflow scoring protocol (dataframe_split, dataframe_records, instances, inputs; or text/csv)',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref('InvocationsRequest') },
              'text/csv': { schema: csvBodySchema(maxRows) },
            },
          },
          responses: {
            '200': ok('Predictions', 'InvocationsResponse'),
            ...errors(400, 413, 415, 422, 503),
          },
        },
      },
      ...(feedback ? feedbackPath() : {}),
      ...probePaths(),
    },
    components: {
      schemas: components({
        WineRecord: WineRecordSchema,
        ...bodies,
        ModelRef: ModelRefSchema,
        PredictSingleResponse: PredictSingleResponseSchema,
        PredictBatchResponse: PredictBatchResponseSchema,
        InvocationsResponse: InvocationsResponseSchema,
        ...(feedback
          ? {
              FeedbackItem: FeedbackItemSchema,
              FeedbackBatch,
              FeedbackRequest: z.union([FeedbackItemSchema, FeedbackBatch]),
              FeedbackResult: FeedbackResultSchema,
              FeedbackResponse: FeedbackResponseSchema,
            }
          : {}),
        HealthResponse: HealthResponseSchema,
        ReadyResponse: ReadyResponseSchema,
        ErrorBody: ErrorBodySchema,
      }),
      ...(feedback
        ? {
            securitySchemes: {
              feedbackToken: { type: 'http', scheme: 'bearer', description: 'FEEDBACK_TOKEN' },
            },
          }
        : {}),
    },
  };
}

function feedbackPath(): Record<string, Json> {
  return {
    '/feedback': {
      post: {
        summary: 'The true quality of earlier predictions (delayed ground truth)',
        description:
          'One label `{"request_id", "row"?, "quality"}` or a batch `{"feedback": [...]}`, stored all or none. ' +
          '`request_id` is the id of the prediction (the single /predict response field, or the X-Request-Id ' +
          'response header of any scoring request); `row` picks a row of a batch request. Repeating a label is ' +
          'harmless (status `unchanged`); a different quality replaces it (`updated`); an id (or row) that ' +
          'no logged prediction has is 422 `UNKNOWN_REQUEST_ID`. Needs `Authorization: Bearer $FEEDBACK_TOKEN`.',
        security: [{ feedbackToken: [] }],
        requestBody: { required: true, ...json(ref('FeedbackRequest')) },
        responses: {
          '200': ok('Stored', 'FeedbackResponse'),
          ...errors(400, 401, 413, 415, 422, 503),
        },
      },
    },
  };
}

/** The management port (MANAGEMENT_PORT): never exposed to the internet. */
export function buildManagementOpenApiDocument(options: {
  version: string;
  /** POST /model/reload is enabled (ADMIN_TOKEN set). */
  admin?: boolean;
}): Json {
  const admin = options.admin ?? false;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Wine quality prediction service — management port',
      version: options.version,
      description:
        'Operations endpoints, served on MANAGEMENT_PORT (bound to MANAGEMENT_HOST, loopback by default).',
    },
    paths: {
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (all workers in cluster mode)',
          responses: {
            '200': {
              description: 'Prometheus text exposition format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/model': {
        get: {
          summary: 'The served model and where it came from',
          responses: { '200': ok('Model', 'ModelDescription'), ...errors(503) },
        },
      },
      ...(admin
        ? {
            '/model/reload': {
              post: {
                summary: 'Reload the model from its source now; relayed to every worker',
                description:
                  'Always downloads and compares sha256. 409 when the candidate fails validation ' +
                  '(the current model keeps serving), 503 when the source cannot be reached.',
                security: [{ adminToken: [] }],
                responses: {
                  '200': ok('swapped or unchanged', 'ReloadResponse'),
                  ...errors(401, 409, 503),
                },
              },
            },
          }
        : {}),
      ...probePaths(),
    },
    components: {
      schemas: components({
        ModelInfo: ModelInfoSchema,
        ModelDescription: ModelDescriptionSchema,
        ...(admin ? { ReloadResponse: ReloadResponseSchema } : {}),
        HealthResponse: HealthResponseSchema,
        ReadyResponse: ReadyResponseSchema,
        ErrorBody: ErrorBodySchema,
      }),
      ...(admin
        ? {
            securitySchemes: {
              adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
            },
          }
        : {}),
    },
  };
}
