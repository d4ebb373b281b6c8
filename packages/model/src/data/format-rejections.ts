import { describeRowError } from './data-error';
import type { RowError } from './data-error';

/** The parts of a load result a rejection summary needs. */
export interface RejectionSummaryInput {
  file: string;
  rowsRead: number;
  records: readonly unknown[];
  rejected: readonly RowError[];
}

/**
 * A human summary of what a load rejected: rows rejected, problems by code, and the first
 * few examples with file, line, column and value. Empty string when nothing was rejected.
 */
export function formatRejections(result: RejectionSummaryInput, maxExamples = 5): string {
  if (result.rejected.length === 0) return '';
  const rowsRejected = result.rowsRead - result.records.length;
  const byCode = new Map<string, number>();
  for (const e of result.rejected) byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
  const counts = [...byCode.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${code} ×${n}`)
    .join(', ');
  const lines = [
    `${result.file}: ${rowsRejected} of ${result.rowsRead} rows rejected (${result.rejected.length} problems: ${counts})`,
    ...result.rejected.slice(0, maxExamples).map((e) => `  ${describeRowError(e)}`),
  ];
  const more = result.rejected.length - maxExamples;
  if (more > 0) lines.push(`  … and ${more} more`);
  return lines.join('\n');
}
