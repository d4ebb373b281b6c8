/**
 * split: the validated rows into train / validation / final holdout by a seeded hash of each
 * row (hashSplit), so rows keep their part as feedback rows are added run after run: the
 * holdout that gates a new model against the champion never holds rows the champion was
 * trained on. With --cv there is no validation part.
 */
import { hashSplit } from '@wine/training-scripts';
import { csvToRecords, recordsToCsv } from './csv';
import { priorOutput, type StepDefinition } from './step-context';
import type { SplitOutput } from './step-io.schema';

export const splitStep: StepDefinition<'split'> = {
  name: 'split',
  prepare(prior, ctx) {
    const validated = priorOutput(prior, 'validate');
    const { testSize, validationSize, seed, cv } = ctx.params;
    const settings = { testSize, validationSize: cv === undefined ? validationSize : 0, seed };
    return Promise.resolve({
      key: { dataset: validated.dataset.sha256, ...settings },
      async run(): Promise<SplitOutput> {
        const rows = csvToRecords(await ctx.artifacts.get(validated.dataset), 'dataset.csv');
        const parts = hashSplit(rows, settings);
        const put = async (name: string, part: typeof rows) => ({
          file: await ctx.artifacts.put(`split/${name}.csv`, recordsToCsv(part)),
          rows: part.length,
        });
        return {
          train: await put('train', parts.train),
          validation:
            parts.validation.length === 0 ? null : await put('validation', parts.validation),
          holdout: await put('holdout', parts.holdout),
        };
      },
    });
  },
};
