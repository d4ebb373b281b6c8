/** Human-readable run history for the CLI (pure: returns text). */
import type { RunRecord, StepRecord } from '../history/run-store';
import { STEP_NAMES } from '../steps/step-io.schema';

const seconds = (ms: number | null): string => (ms === null ? '' : `${(ms / 1000).toFixed(1)} s`);
const time = (d: Date | null): string =>
  d === null ? '—' : d.toISOString().replace('T', ' ').slice(0, 19);

function stepLine(step: string, record: StepRecord | undefined): string {
  if (record === undefined) return `  ${step.padEnd(9)} pending`;
  const status = record.cachedFrom !== null ? `reused (run ${record.cachedFrom})` : record.status;
  const attempts = record.attempts > 1 ? `, ${record.attempts} attempts` : '';
  const error = record.error
    ? `\n            ${record.error.code}: ${record.error.message.split('\n')[0] ?? ''}`
    : '';
  return `  ${step.padEnd(9)} ${status.padEnd(10)} ${seconds(record.durationMs).padStart(8)}${attempts}${error}`;
}

export function renderRun(run: RunRecord): string {
  const byStep = new Map(run.steps.map((s) => [s.step, s]));
  const trigger = run.groupKey ? `${run.trigger} (group ${run.groupKey})` : run.trigger;
  const lines = [
    `run ${run.id}: ${run.status}`,
    `  trigger   ${trigger}`,
    `  created   ${time(run.createdAt)}   finished ${time(run.finishedAt)}`,
    ...(run.mlflowRunId ? [`  mlflow    run ${run.mlflowRunId}`] : []),
    ...(run.modelVersion ? [`  model     version ${run.modelVersion}, ${run.decision ?? ''}`] : []),
    ...(run.error
      ? [
          `  error     ${run.error.step ?? 'run'}: ${run.error.code}: ${run.error.message.split('\n')[0] ?? ''}`,
        ]
      : []),
    'steps:',
    ...STEP_NAMES.map((s) => stepLine(s, byStep.get(s))),
  ];
  return lines.join('\n');
}

export function renderList(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'no runs yet (start one with `pnpm run pipeline -- run`)';
  const header = `${'run'.padEnd(27)} ${'trigger'.padEnd(9)} ${'status'.padEnd(10)} ${'created'.padEnd(19)}  version  decision`;
  return [
    header,
    ...runs.map(
      (r) =>
        `${r.id.padEnd(27)} ${r.trigger.padEnd(9)} ${r.status.padEnd(10)} ${time(r.createdAt)}  ${(r.modelVersion ?? '').padEnd(7)}  ${r.decision ?? (r.error ? `${r.error.step ?? ''} ${r.error.code}` : '')}`,
    ),
  ].join('\n');
}
