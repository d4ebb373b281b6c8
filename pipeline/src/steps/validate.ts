/**
 * validate: every ingested file through the loader's schema and row rules (rejecting, not
 * failing, per row). More than `maxRejectedShare` rejected fails the run with the report;
 * otherwise the clean rows become one dataset in the contract's columns.
 */
import { formatRejections, parseWineCsv, type LabeledWineRecord } from '@wine/model';
import { PipelineError } from '../errors';
import { recordsToCsv } from './csv';
import { priorOutput, type StepDefinition } from './step-context';
import type { ValidateOutput } from './step-io.schema';

export const validateStep: StepDefinition<'validate'> = {
  name: 'validate',
  prepare(prior, ctx) {
    const ingest = priorOutput(prior, 'ingest');
    const maxShare = ctx.params.maxRejectedShare;
    return Promise.resolve({
      key: { files: ingest.sources.map((s) => s.sha256), maxShare },
      async run(): Promise<ValidateOutput> {
        const records: LabeledWineRecord[] = [];
        const bySource: Record<string, { rows: number; rejected: number }> = {};
        const summaries: string[] = [];
        let read = 0;
        for (const source of ingest.sources) {
          if (source.file === undefined) continue;
          const text = (await ctx.artifacts.get(source.file)).toString('utf8');
          const result = parseWineCsv(text, { file: source.name, onInvalidRow: 'reject' });
          records.push(...result.records);
          read += result.rowsRead;
          const rejected = result.rowsRead - result.records.length;
          bySource[source.name] = { rows: result.records.length, rejected };
          const summary = formatRejections(result, 10);
          if (summary !== '') summaries.push(summary);
        }
        const rejected = read - records.length;
        const rejectedShare = read === 0 ? 1 : rejected / read;
        const report = {
          rowsRead: read,
          rows: records.length,
          rejected,
          rejectedShare,
          maxRejectedShare: maxShare,
          bySource,
          problems: summaries,
        };
        const reportRef = await ctx.artifacts.put(
          'validate/report.json',
          Buffer.from(JSON.stringify(report, null, 2)),
        );
        if (records.length === 0 || rejectedShare > maxShare) {
          throw new PipelineError(
            'PIPELINE_VALIDATION_FAILED',
            `${rejected} of ${read} rows rejected (${(rejectedShare * 100).toFixed(1)} %), more than ` +
              `the allowed ${(maxShare * 100).toFixed(1)} % (PIPELINE_MAX_REJECTED_SHARE); report: ` +
              `${reportRef.artifactUri}/${reportRef.path}`,
            { details: summaries.flatMap((s) => s.split('\n')).slice(0, 20) },
          );
        }
        const dataset = await ctx.artifacts.put('validate/dataset.csv', recordsToCsv(records));
        ctx.log.info('validated', { rows: records.length, rejected });
        return {
          dataset,
          rows: records.length,
          rejected,
          rejectedShare,
          report: reportRef,
          bySource,
        };
      },
    });
  },
};
