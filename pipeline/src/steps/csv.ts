/** The contract CSV the steps exchange (header = features, wine_type, quality). */
import { FEATURE_NAMES, parseWineCsv, type LabeledWineRecord } from '@wine/model';

const HEADER = [...FEATURE_NAMES, 'wine_type', 'quality'].join(',');

export function recordsToCsv(rows: readonly LabeledWineRecord[]): Buffer {
  const lines = [HEADER];
  for (const r of rows) {
    lines.push([...FEATURE_NAMES.map((n) => String(r[n])), r.wine_type, r.quality].join(','));
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/** Parses a CSV this pipeline wrote (already validated): any bad row is a hard failure. */
export function csvToRecords(bytes: Uint8Array, label: string): LabeledWineRecord[] {
  return parseWineCsv(Buffer.from(bytes).toString('utf8'), { file: label, onInvalidRow: 'fail' })
    .records;
}
