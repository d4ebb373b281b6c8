/**
 * Shape of model.json as read from disk (zod at the process edge). Structural rules that zod
 * cannot express compactly (equal array lengths, preorder child links, feature indices in
 * range) are checked in ensemble-validate.ts after this schema passes.
 */
import { z } from 'zod';
import { ENSEMBLE_FORMAT, ENSEMBLE_FORMAT_VERSION } from './ensemble-document';

const num = z.number();
const int = z.number().int();

const treeSchema = z.object({
  feature: z.array(int),
  threshold: z.array(num),
  left: z.array(int),
  right: z.array(int),
  value: z.array(num),
  samples: z.array(num.nonnegative()),
  impurity: z.array(num),
});

const binnedSchema = z.object({
  edges: z.array(num),
  proportions: z.array(num),
  count: int.nonnegative(),
  min: num,
  max: num,
  mean: num,
  std: num,
  quantiles: z.array(num).optional(),
});

const referenceSchema = z.object({
  version: z.literal(1),
  bins: int.positive(),
  features: z.record(z.string(), binnedSchema),
  categorical: z.object({ wine_type: z.object({ red: num, white: num }) }),
  prediction: binnedSchema,
  target: binnedSchema.optional(),
  sample: z
    .object({
      // One fixed name: a model directory from a registry must not point outside itself.
      file: z.literal('reference_sample.csv.gz'),
      rows: int.positive(),
      sourceRows: int.positive(),
      seed: int,
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
});

const metricsSchema = z.object({ rmse: num, mae: num, r2: num });

/** A count-or-fraction parameter in explicit form (learner ≥ 1.1.0). */
const amountSchema = z.object({ kind: z.enum(['count', 'fraction']), value: num });

const trainingSchema = z.object({
  kind: z.enum(['tree', 'forest']),
  params: z.record(z.string(), z.union([num, z.string(), z.boolean(), z.null(), amountSchema])),
  learner: z.object({ name: z.literal('wine-cart'), version: z.string() }),
  dataSha256: z.string().optional(),
  nTrain: int.nonnegative(),
  metrics: z.object({ test: metricsSchema.optional(), cv: metricsSchema.optional() }).optional(),
  featureImportances: z.record(z.string(), num).optional(),
});

const featureSchema = z.union([
  z.object({
    name: z.literal('wine_type'),
    type: z.literal('category'),
    categories: z.tuple([z.literal('red'), z.literal('white')]),
  }),
  z.object({ name: z.string(), type: z.literal('number') }),
]);

export const ensembleDocumentSchema = z.object({
  format: z.literal(ENSEMBLE_FORMAT),
  formatVersion: z.literal(ENSEMBLE_FORMAT_VERSION),
  features: z.array(featureSchema),
  aggregation: z.literal('mean'),
  trees: z.array(treeSchema).min(1),
  training: trainingSchema,
  reference: referenceSchema.optional(),
});

/** The format/version header alone, read first so a newer file gets a precise error. */
export const ensembleHeaderSchema = z.object({
  format: z.unknown(),
  formatVersion: z.unknown(),
});
