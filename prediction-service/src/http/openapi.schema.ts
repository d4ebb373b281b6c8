/**
 * GET /openapi.json on each port (the public API, and the management port's operations
 * endpoints), generated from the same zod schemas that validate requests (zod v4's
 * native JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses as its schema dialect).
 */
import { z } from 'zod';
import { ERROR_DOCS, MAX_ERROR_DETAILS, SERVICE_ERROR_CODES } from '../errors';
import {
  DataframeRecordsSchema,
  DataframeSplitSchema,
  InputsSchema,
  InstancesSchema,
  InvocationsRequestSchema,
  InvocationsResponseSchema,
} from './invocations.schema';
import {
  ModelRefSchema,
  PredictBatchResponseSchema,
  PredictBatchSchema,
  PredictRequestSchema,
  PredictSingleResponseSchema,
} from './predict.schema';
import {
  FeedbackBatchSchema,
  FeedbackItemSchema,
  FeedbackRequestSchema,
  FeedbackResponseSchema,
  FeedbackResultSchema,
} from './feedback.schema';
import { WineRecordSchema } from './record.schema';

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

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  // Every schema with an id becomes a component, so references between them resolve.
  for (const schema of [
    WineRecordSchema,
    PredictBatchSchema,
    ModelRefSchema,
    DataframeSplitSchema,
    DataframeRecordsSchema,
    InstancesSchema,
    InputsSchema,
    PredictRequestSchema,
    PredictSingleResponseSchema,
    PredictBatchResponseSchema,
    InvocationsRequestSchema,
    InvocationsResponseSchema,
    FeedbackItemSchema,
    FeedbackBatchSchema,
    FeedbackRequestSchema,
    FeedbackResultSchema,
    FeedbackResponseSchema,
    ErrorBodySchema,
  ]) {
    const id = z.globalRegistry.get(schema)?.id;
    if (id !== undefined) registry.add(schema, { id });
  }
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
const errors = (...statuses: number[]): Record<string, Json> =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { description: 'Error', ...json(ref('ErrorBody')) }]),
  );

export function buildOpenApiDocument(options: {
  maxBatchRows: number;
  maxBodyBytes: number;
  version: string;
}): Json {
  const limits = `Bodies up to ${options.maxBodyBytes} bytes, batches up to ${options.maxBatchRows} rows.`;
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
              'text/csv': { schema: { type: 'string' } },
            },
          },
          responses: {
            '200': { description: 'Predictions', ...json(ref('InvocationsResponse')) },
            ...errors(400, 413, 415, 422, 503),
          },
        },
      },
      '/feedback': {
        post: {
          summary: 'The true quality of earlier predictions (delayed ground truth)',
          description:
            'One label `{"request_id", "row"?, "quality"}` or a batch `{"feedback": [...]}`, stored all or none. ' +
            '`request_id` is the id of the prediction (the single /predict response field, or the X-Request-Id ' +
            'response header of any scoring request); `row` picks a row of a batch request. Repeating a label is ' +
            'harmless (status `unchanged`); a different quality replaces it (`updated`). Needs the prediction log ' +
            '(DATABASE_URL) and `Authorization: Bearer $FEEDBACK_TOKEN`.',
          security: [{ feedbackToken: [] }],
          requestBody: { required: true, ...json(ref('FeedbackRequest')) },
          responses: {
            '200': { description: 'Stored', ...json(ref('FeedbackResponse')) },
            ...errors(400, 401, 404, 413, 415, 422, 503),
          },
        },
      },
      ...probePaths(),
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        feedbackToken: { type: 'http', scheme: 'bearer', description: 'FEEDBACK_TOKEN' },
      },
    },
  };
}

function probePaths(): Record<string, Json> {
  return {
    '/health': { get: { summary: 'Liveness', responses: { '200': { description: 'Alive' } } } },
    '/ready': {
      get: {
        summary: 'Readiness: a model is loaded',
        responses: { '200': { description: 'Ready' }, ...errors(503) },
      },
    },
  };
}

/** The management port (MANAGEMENT_PORT): never exposed to the internet. */
export function buildManagementOpenApiDocument(options: { version: string }): Json {
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
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Exposition format', content: { 'text/plain': {} } } },
        },
      },
      '/model': {
        get: {
          summary: 'The served model and where it came from',
          responses: { '200': { description: 'Model' }, ...errors(503) },
        },
      },
      '/model/reload': {
        post: {
          summary: 'Reload the model from its source (admin)',
          security: [{ adminToken: [] }],
          responses: {
            '200': { description: 'swapped or unchanged' },
            ...errors(401, 404, 409, 503),
          },
        },
      },
      ...probePaths(),
    },
    components: {
      schemas: { ErrorBody: componentSchemas()['ErrorBody'] },
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
      },
    },
  };
}
