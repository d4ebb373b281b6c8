/** The drift result for a terminal (pure: returns text). */
import { METHOD_SCORE, type ColumnDrift } from '@wine/drift';
import type { DriftOutcome } from './run-drift';

/** A score as people read it: p-values near 0 in exponent form, distances to 4 decimals. */
export function formatScore(column: Pick<ColumnDrift, 'method' | 'score'>): string {
  if (column.score === null) return '—';
  const s = column.score;
  if (METHOD_SCORE[column.method] === 'p_value' && s !== 0 && s < 1e-4) return s.toExponential(1);
  return s.toFixed(4);
}

export function formatNumber(n: number | null): string {
  if (n === null) return '—';
  return Math.abs(n) >= 1e4 || (n !== 0 && Math.abs(n) < 1e-3) ? n.toExponential(2) : n.toFixed(4);
}

/** Rows of the result table: features in contract order, then prediction and target. */
export function resultRows(outcome: DriftOutcome): [string, ColumnDrift][] {
  const { report } = outcome;
  return [
    ...Object.entries(report.features),
    ...(report.prediction === null
      ? []
      : [['prediction', report.prediction] as [string, ColumnDrift]]),
    ...(report.target === undefined
      ? []
      : [['quality (target)', report.target] as [string, ColumnDrift]]),
  ];
}

export function verdictLine(outcome: DriftOutcome): string {
  const r = outcome.report;
  if (r.status === 'not_enough_data') {
    return `Dataset drift: NOT ENOUGH DATA — ${r.rows_current} current rows, at least ${r.min_rows} needed for a verdict`;
  }
  const share = `${(100 * r.drift_share).toFixed(1)} % of ${r.columns_tested} columns, threshold ${(100 * r.drift_share_threshold).toFixed(0)} %`;
  return `Dataset drift: ${r.dataset_drift ? 'DETECTED' : 'not detected'} — ${r.drifted_columns} drifted (${share})`;
}

export function renderDrift(outcome: DriftOutcome): string {
  const rows = resultRows(outcome);
  const widths = [Math.max(6, ...rows.map(([n]) => n.length)), 13, 10, 9, 10];
  const line = (cells: string[]): string =>
    '  ' + cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i] ?? 0) : c)).join('  ');
  return [
    `Current:   ${outcome.current.path} — ${outcome.current.rows} rows` +
      (outcome.current.rejected > 0 ? ` (${outcome.current.rejected} rejected)` : ''),
    `Reference: ${outcome.reference.path} — ${outcome.reference.rows} rows, ${outcome.reference.kind}`,
    verdictLine(outcome),
    '',
    line(['column', 'method', 'score', 'threshold', 'statistic', 'drift']),
    ...rows.map(([name, c]) =>
      line([
        name,
        c.method,
        formatScore(c),
        String(c.threshold),
        formatNumber(c.statistic),
        c.score === null ? '—' : c.drifted ? 'DRIFT' : 'ok',
      ]),
    ),
    ...(outcome.report.warnings.length > 0
      ? ['', ...outcome.report.warnings.map((w) => `warning: ${w}`)]
      : []),
    '',
    `Computed in ${outcome.seconds.toFixed(2)} s. Scores: p-value for ks/chisquare/z (drift when small), distance otherwise (drift when large).`,
  ].join('\n');
}
