/**
 * evaluate: the new model (as logged in MLflow, the artifact that would be served) and the
 * current champion on the same final holdout — rows that chose neither of them. The numbers
 * are logged on the pipeline run.
 */
import { holdoutOf, holdoutRmse } from '@wine/training-scripts';
import { csvToRecords } from './csv';
import { currentChampion, priorOutput, type StepDefinition } from './step-context';
import type { EvaluateOutput } from './step-io.schema';

export const evaluateStep: StepDefinition<'evaluate'> = {
  name: 'evaluate',
  async prepare(prior, ctx) {
    const parts = priorOutput(prior, 'split');
    const trained = priorOutput(prior, 'train');
    const name = ctx.params.registeredModel;
    const champion = await currentChampion(ctx.mlflow, name);
    return {
      key: {
        model: trained.modelId,
        holdout: parts.holdout.file.sha256,
        registeredModel: name,
        champion: champion?.version ?? null,
      },
      async run(): Promise<EvaluateOutput> {
        const rows = csvToRecords(await ctx.artifacts.get(parts.holdout.file), 'holdout.csv');
        const holdout = holdoutOf(rows);
        const candidateRmse = await holdoutRmse(ctx.mlflow, trained.modelUri, holdout);
        // The champion may be this very model (an earlier run registered it): score it once.
        const championRmse =
          champion === null
            ? undefined
            : champion.runId === trained.mlflowRunId
              ? candidateRmse
              : await holdoutRmse(ctx.mlflow, `models:/${name}/${champion.version}`, holdout);
        const now = Date.now();
        await ctx.mlflow.logBatch(trained.mlflowRunId, {
          metrics: [
            { key: 'holdout_rmse', value: candidateRmse, timestamp: now },
            ...(championRmse === undefined
              ? []
              : [{ key: 'champion_holdout_rmse', value: championRmse, timestamp: now }]),
          ],
          tags: { 'wine.pipeline.champion_version': champion?.version ?? 'none' },
        });
        return {
          candidateRmse,
          champion:
            champion === null || championRmse === undefined
              ? null
              : { version: champion.version, rmse: championRmse },
          holdoutRows: rows.length,
          holdoutSha256: holdout.sha256,
        };
      },
    };
  },
};
