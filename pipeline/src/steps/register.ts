/**
 * register + promote: a version of the registered model from the pipeline run (one per run,
 * however often this step is retried), `champion` moved only past the promotion gate, else
 * `challenger`. The service follows `champion` through its registry polling. If the champion
 * moved since evaluate, both models are scored again rather than promoted on stale numbers.
 */
import { holdoutOf, registerRun } from '@wine/training-scripts';
import { csvToRecords } from './csv';
import { priorOutput, type StepDefinition } from './step-context';
import type { RegisterOutput } from './step-io.schema';

export const registerStep: StepDefinition<'register'> = {
  name: 'register',
  prepare(prior, ctx) {
    const parts = priorOutput(prior, 'split');
    const trained = priorOutput(prior, 'train');
    const evaluated = priorOutput(prior, 'evaluate');
    const p = ctx.params;
    return Promise.resolve({
      key: {
        run: trained.mlflowRunId,
        evaluated,
        registeredModel: p.registeredModel,
        minImprovement: p.minImprovement,
      },
      async run(): Promise<RegisterOutput> {
        const rows = csvToRecords(await ctx.artifacts.get(parts.holdout.file), 'holdout.csv');
        const outcome = await registerRun(
          {
            runId: trained.mlflowRunId,
            experimentName: p.experiment,
            modelName: p.registeredModel,
            minImprovement: p.minImprovement,
          },
          holdoutOf(rows),
          ctx.mlflow,
          {
            candidateRmse: evaluated.candidateRmse,
            ...(evaluated.champion === null ? {} : { champion: evaluated.champion }),
          },
        );
        ctx.log.info('registered', {
          version: outcome.version,
          decision: outcome.decision.outcome,
          alias: outcome.decision.alias,
        });
        return {
          modelName: outcome.modelName,
          version: outcome.version,
          created: outcome.created,
          alias: outcome.decision.alias,
          decision: outcome.decision.outcome,
          reason: outcome.decision.reason,
          champion: outcome.champion ?? null,
        };
      },
    });
  },
};
