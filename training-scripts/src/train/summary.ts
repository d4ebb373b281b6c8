/** Human-readable rendering of a training outcome (pure: returns text). */
import { paramText, type Candidate, type ParamScalar } from '@wine/model';
import type { RegisterOutcome } from '../register/register-model';
import type { TrackedSearch } from '../tracking/tracker';
import type { TrainOutcome } from './run-training';

const fmt = (n: number, digits = 4): string => n.toFixed(digits);

function formatParams(params: Candidate['params']): string {
  const values: Readonly<Record<string, ParamScalar>> = { ...params };
  return Object.entries(values)
    .filter(([key]) => key !== 'seed')
    .map(([key, value]) => `${key}=${paramText(key, value)}`)
    .join(' ');
}

function bar(fraction: number, width = 30): string {
  return '█'.repeat(Math.round(fraction * width)).padEnd(width, '·');
}

export function renderSummary(outcome: TrainOutcome): string {
  const { search } = outcome;
  const ranked = [...search.candidates].sort((a, b) => a.metrics.rmse - b.metrics.rmse);
  const lines = [
    `Searched ${search.candidates.length} candidates in ${fmt(search.seconds, 2)} s`,
    `Data: ${outcome.nTrain} train / ${outcome.nValidation} validation / ${outcome.nTest} holdout rows (${outcome.rejected} rejected), sha256 ${outcome.dataSha256.slice(0, 12)}…`,
    '',
    `Top candidates (${outcome.nValidation > 0 ? 'validation' : 'cross-validation'} RMSE):`,
    ...ranked
      .slice(0, 5)
      .map((c, i) => `  ${i + 1}. rmse ${fmt(c.metrics.rmse)}  ${formatParams(c.params)}`),
    '',
    `Best candidate, refit on train + validation, on the holdout: rmse ${fmt(outcome.best.metrics.rmse)}  mae ${fmt(outcome.best.metrics.mae)}  r2 ${fmt(outcome.best.metrics.r2)}`,
    `  params: ${formatParams(outcome.best.params)}`,
    '',
    'Feature importance:',
    ...Object.entries(outcome.featureImportances)
      .sort(([, a], [, b]) => b - a)
      .map(([name, value]) => `  ${name.padEnd(22)} ${bar(value)} ${fmt(value, 3)}`),
    '',
    `Model directory written to ${outcome.output}`,
  ];
  return lines.join('\n');
}

/** Where the runs went, or that tracking is off. */
export function renderTracking(tracked: TrackedSearch | undefined): string {
  if (tracked === undefined) {
    return 'Tracking: off (set MLFLOW_TRACKING_URI or --tracking-uri to log runs)';
  }
  return [
    `Tracking: parent run ${tracked.runId} with ${tracked.childRuns} nested candidate runs (logged in ${fmt(tracked.candidateLogSeconds, 2)} s)`,
    `  ${tracked.runUrl}`,
    `  logged model ${tracked.modelId} (run artifacts: model/, plots/)`,
  ].join('\n');
}

/** The `--json` line: a stable machine-readable contract (issue 2); fields are only added. */
export function jsonSummary(outcome: TrainOutcome, registration?: RegisterOutcome): string {
  const tracked = outcome.tracked;
  return JSON.stringify({
    models: outcome.search.candidates.length,
    seconds: Number(outcome.search.seconds.toFixed(3)),
    best: { ...outcome.best.metrics, params: outcome.best.params },
    validation: outcome.validation,
    output: outcome.output,
    tracking:
      tracked === undefined
        ? null
        : {
            trackingUri: tracked.trackingUri,
            experimentId: tracked.experimentId,
            runId: tracked.runId,
            runUrl: tracked.runUrl,
            childRuns: tracked.childRuns,
            modelId: tracked.modelId,
            candidateLogSeconds: Number(tracked.candidateLogSeconds.toFixed(3)),
          },
    ...(registration === undefined ? {} : { registration: registrationJson(registration) }),
  });
}

export function registrationJson(r: RegisterOutcome): Record<string, unknown> {
  return {
    model: r.modelName,
    version: r.version,
    created: r.created,
    runId: r.runId,
    alias: r.decision.alias,
    decision: r.decision.outcome,
    candidateRmse: r.candidateRmse,
    champion: r.champion ?? null,
    reason: r.decision.reason,
  };
}
