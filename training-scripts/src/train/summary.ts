/** Human-readable rendering of a training outcome (pure: returns text). */
import type { Candidate } from '@wine/model';
import type { TrainOutcome } from './run-training';

const fmt = (n: number, digits = 4): string => n.toFixed(digits);

function formatParams(params: Candidate['params']): string {
  return Object.entries(params)
    .filter(([key]) => key !== 'seed')
    .map(([key, value]) => `${key}=${String(value)}`)
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
    `Data: ${outcome.nTrain} train / ${outcome.nTest} test rows (${outcome.rejected} rejected), sha256 ${outcome.dataSha256.slice(0, 12)}…`,
    '',
    'Top candidates (validation RMSE):',
    ...ranked
      .slice(0, 5)
      .map((c, i) => `  ${i + 1}. rmse ${fmt(c.metrics.rmse)}  ${formatParams(c.params)}`),
    '',
    `Best model on the test set: rmse ${fmt(outcome.best.metrics.rmse)}  mae ${fmt(outcome.best.metrics.mae)}  r2 ${fmt(outcome.best.metrics.r2)}`,
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

/** The `--json` line: a stable machine-readable contract (issue 2). */
export function jsonSummary(outcome: TrainOutcome): string {
  return JSON.stringify({
    models: outcome.search.candidates.length,
    seconds: Number(outcome.search.seconds.toFixed(3)),
    best: { ...outcome.best.metrics, params: outcome.best.params },
    output: outcome.output,
  });
}
