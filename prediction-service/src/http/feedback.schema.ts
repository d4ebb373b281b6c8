/**
 * POST /feedback bodies: one label `{request_id, row?, quality}` or a batch
 * `{"feedback": [...]}`. `parseFeedbackBody` is the only place a feedback body is
 * interpreted. A quality that is not an integer 0–10 is IMPOSSIBLE_VALUE (the scale of the
 * training data); any structural problem is INVALID_INPUT.
 */
import { QUALITY_RULE } from '@wine/model';
import type { FeedbackItem } from '@wine/db';
import { z } from 'zod';
import { ServiceError } from '../errors';
import type { ErrorDetail } from '../errors';

export const FeedbackItemSchema = z
  .strictObject({
    request_id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .meta({
        description: 'The request id of the prediction (response field or X-Request-Id header)',
      }),
    // prediction_log.row_index is a 32-bit integer: a larger row made PostgreSQL fail (a 500).
    row: z.number().int().min(0).max(2_147_483_647).optional().meta({
      description: 'Row of a batch request (0-based); may be omitted for a one-record request',
    }),
    quality: z
      .number()
      .int()
      .min(QUALITY_RULE.min)
      .max(QUALITY_RULE.max)
      .meta({ description: 'The true sensory quality, an integer 0–10', examples: [6] }),
  })
  .meta({ id: 'FeedbackItem' });

export const FeedbackBatchSchema = z
  .strictObject({ feedback: z.array(FeedbackItemSchema).min(1) })
  .meta({ id: 'FeedbackBatch', description: 'Several labels stored together (all or none).' });

export const FeedbackRequestSchema = z
  .union([FeedbackItemSchema, FeedbackBatchSchema])
  .meta({ id: 'FeedbackRequest' });

export const FeedbackResultSchema = z
  .object({
    request_id: z.string(),
    row: z.number().int().nullable(),
    quality: z.number().int(),
    status: z.enum(['created', 'updated', 'unchanged']).meta({
      description:
        'created: first label; unchanged: a repeat; updated: a different quality replaced the label',
    }),
  })
  .meta({ id: 'FeedbackResult' });

export const FeedbackResponseSchema = z
  .union([FeedbackResultSchema, z.object({ results: z.array(FeedbackResultSchema) })])
  .meta({ id: 'FeedbackResponse' });

export type FeedbackInput =
  { kind: 'single'; item: FeedbackItem } | { kind: 'batch'; items: FeedbackItem[] };

/** Prefix for an item's error paths: '' for the single form, `feedback[i].` for a batch. */
export function itemPath(input: FeedbackInput, index: number): string {
  return input.kind === 'single' ? '' : `feedback[${index}].`;
}

export function parseFeedbackBody(body: unknown, maxItems: number): FeedbackInput {
  const isBatch = typeof body === 'object' && body !== null && 'feedback' in body;
  if (isBatch) {
    const list = body.feedback;
    if (Array.isArray(list) && list.length > maxItems) {
      throw new ServiceError(
        'BATCH_TOO_LARGE',
        `The batch has ${list.length} labels; the limit is ${maxItems} (MAX_BATCH_ROWS).`,
        { details: [{ path: 'feedback', message: `${list.length} > ${maxItems} items` }] },
      );
    }
  }
  const result = (isBatch ? FeedbackBatchSchema : FeedbackItemSchema).safeParse(body);
  if (result.success) {
    const toItem = (i: z.infer<typeof FeedbackItemSchema>): FeedbackItem => ({
      requestId: i.request_id,
      row: i.row,
      quality: i.quality,
    });
    return 'feedback' in result.data
      ? { kind: 'batch', items: result.data.feedback.map(toItem) }
      : { kind: 'single', item: toItem(result.data) };
  }
  let onlyQuality = true;
  const details: ErrorDetail[] = [];
  for (const issue of result.error.issues.slice(0, 20)) {
    const path = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
      .join('.')
      .replace(/\.\[/g, '[');
    const field = issue.path[issue.path.length - 1];
    const qualityRange =
      field === 'quality' &&
      (issue.code === 'too_small' ||
        issue.code === 'too_big' ||
        (issue.code === 'invalid_type' && issue.expected === 'int'));
    if (!qualityRange) onlyQuality = false;
    details.push({
      path,
      message: qualityRange ? `impossible score: ${QUALITY_RULE.description}` : issue.message,
    });
  }
  throw new ServiceError(
    onlyQuality ? 'IMPOSSIBLE_VALUE' : 'INVALID_INPUT',
    onlyQuality
      ? `Impossible quality score: ${QUALITY_RULE.description}.`
      : 'The feedback body is not {"request_id", "row"?, "quality"} or {"feedback": [...]}.',
    { details },
  );
}
