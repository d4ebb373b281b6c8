/**
 * The request bodies as /openapi.json describes them. The service interprets envelopes with
 * hand-written parsers (predict.schema.ts, invocations.schema.ts, csv.ts) and validates each
 * record with WineRecordSchema; these schemas document exactly what those accept, limits
 * included (MAX_BATCH_ROWS), so that a client — or schemathesis, which CI runs against the
 * document with every check — that follows the schema is answered 200, and one that breaks it
 * is refused.
 *
 * Where JSON Schema cannot say what the service accepts, the schema shows a strict subset and
 * the description the rest: `dataframe_split` columns in any order (the schema shows the
 * canonical one), its optional `index` (one entry per row), `inputs` as a dict of equal-length
 * columns, and CSV in any column order or quoting.
 */
import { FEATURE_NAMES, WINE_TYPES } from '@wine/model';
import type { FeatureName } from '@wine/model';
import { z } from 'zod';
import { WineRecordSchema, featureSchema } from './record.schema';

/** `params` must be empty: this model takes no inference parameters. */
const Params = z
  .record(z.string(), z.never())
  .optional()
  .meta({ description: 'Inference parameters: none (send {} or omit it)' });

export const CSV_COLUMNS = [...FEATURE_NAMES, 'wine_type'] as const;

const cell = (name: FeatureName): z.ZodType => featureSchema(name);

/**
 * Decimal forms that lie within each feature's physical bounds (ASCII digits only: a
 * generator reading `\d` as any Unicode digit would produce what the parser refuses).
 */
const DECIMAL_WITHIN: Record<FeatureName, string> = {
  fixed_acidity: '[0-9]{1,4}(\\.[0-9]{1,4})?',
  volatile_acidity: '[0-9]{1,4}(\\.[0-9]{1,4})?',
  citric_acid: '[0-9]{1,4}(\\.[0-9]{1,4})?',
  residual_sugar: '[0-9]{1,4}(\\.[0-9]{1,4})?',
  chlorides: '[0-9]{1,4}(\\.[0-9]{1,4})?',
  free_sulfur_dioxide: '[0-9]{1,4}(\\.[0-9]{1,4})?',
  total_sulfur_dioxide: '[0-9]{1,4}(\\.[0-9]{1,4})?',
  density: '(0\\.9[0-9]{0,4}|1\\.0[0-9]{0,4})',
  ph: '([0-9]|1[0-3])(\\.[0-9]{1,4})?',
  sulphates: '[0-9]{1,4}(\\.[0-9]{1,4})?',
  alcohol: '[0-9]{1,2}(\\.[0-9]{1,4})?',
};

/** A CSV body with the canonical header and 1..maxRows rows of in-bounds values. */
export function csvBodyPattern(maxRows: number): string {
  const row = [...FEATURE_NAMES.map((name) => DECIMAL_WITHIN[name]), `(${WINE_TYPES.join('|')})`];
  return `^${CSV_COLUMNS.join(',')}(\\n${row.join(',')}){1,${maxRows}}\\n?$`;
}

export function csvBodySchema(maxRows: number): Record<string, unknown> {
  return {
    type: 'string',
    pattern: csvBodyPattern(maxRows),
    description:
      `RFC 4180 CSV, as pandas to_csv() writes it: a header row naming the 12 columns in any ` +
      `order (quoted or not; a leading unnamed index column is skipped), then 1–${maxRows} rows. ` +
      'Plain decimals are numbers; an empty cell is a missing value. The pattern shows the ' +
      'canonical form.',
  };
}

/** Every request body schema of the public API, with the batch limit filled in. */
export function requestBodySchemas(maxRows: number) {
  const rows = z.array(WineRecordSchema).min(1).max(maxRows);
  const PredictBatch = z
    .strictObject({ instances: rows })
    .meta({ description: 'Several wines scored in one request.' });
  const DataframeSplit = z
    .strictObject({
      dataframe_split: z
        .strictObject({
          columns: z.tuple(
            CSV_COLUMNS.map((name) => z.literal(name)) as [
              z.ZodLiteral<string>,
              ...z.ZodLiteral<string>[],
            ],
          ),
          data: z
            .array(
              z.tuple([
                cell(FEATURE_NAMES[0]),
                ...FEATURE_NAMES.slice(1).map(cell),
                z.enum(WINE_TYPES),
              ]),
            )
            .min(1)
            .max(maxRows),
        })
        .meta({
          description:
            'pandas `split` orientation. The columns may come in any order (each row in the same ' +
            'order); an `index` with one entry per row is accepted and ignored.',
        }),
      params: Params,
    })
    .meta({ description: 'pandas `split` orientation' });
  const DataframeRecords = z
    .strictObject({ dataframe_records: rows, params: Params })
    .meta({ description: 'pandas `records` orientation' });
  const Instances = z
    .strictObject({ instances: rows, params: Params })
    .meta({ description: 'TF-serving row format' });
  const Inputs = z.strictObject({ inputs: rows, params: Params }).meta({
    description:
      'TF-serving: a list of records, or a dict of columns {name: [values…]} of equal length.',
  });
  return {
    PredictBatch,
    PredictRequest: z.union([WineRecordSchema, PredictBatch]),
    DataframeSplit,
    DataframeRecords,
    Instances,
    Inputs,
    InvocationsRequest: z.union([DataframeSplit, DataframeRecords, Instances, Inputs]),
  };
}
