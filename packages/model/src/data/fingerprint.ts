import { createHash } from 'node:crypto';
import { FEATURE_NAMES } from '../core/features';
import type { LabeledWineRecord } from '../core/features';

/**
 * sha256 (hex) of a canonical serialisation of the records: contract column order, one
 * line per record in the given order, numbers in JavaScript's shortest round-trip form.
 * The same wines give the same fingerprint whatever the source file's delimiter, header
 * spelling or column order; reordering the rows changes it (row order feeds the split).
 */
export function datasetFingerprint(records: readonly LabeledWineRecord[]): string {
  const hash = createHash('sha256');
  hash.update(`${[...FEATURE_NAMES, 'wine_type', 'quality'].join(',')}\n`);
  for (const r of records) {
    const values = FEATURE_NAMES.map((name) => String(r[name]));
    hash.update(`${values.join(',')},${r.wine_type},${r.quality}\n`);
  }
  return hash.digest('hex');
}
