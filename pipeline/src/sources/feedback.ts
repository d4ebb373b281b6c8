/**
 * Labelled live rows (POST /feedback joined with the prediction log) as one more data source.
 * They are written as a CSV in the contract's columns so validate parses them with the same
 * loader rules as the UCI files, and fingerprinted like every other source.
 */
import { labelledRows, type Pool } from '@wine/db';
import { FEATURE_NAMES, type LabeledWineRecord } from '@wine/model';
import { sha256Hex } from '@wine/training-scripts';

export interface FeedbackQuery {
  /** Only rows labelled within the last N days; 0 = all. */
  readonly maxAgeDays: number;
  /** Count the rows labelled after this instant (the champion's registration) separately. */
  readonly newSince?: Date | undefined;
}

export interface FeedbackRows {
  readonly rows: readonly LabeledWineRecord[];
  readonly newSince: number;
}

/** Where labelled rows come from (passed in; the platform database in production). */
export interface FeedbackSource {
  read(query: FeedbackQuery): Promise<FeedbackRows>;
}

/** The feedback table of the platform database (@wine/db's labelledRows). */
export function databaseFeedbackSource(pool: Pool): FeedbackSource {
  return { read: (query) => labelledRows(pool, query) };
}

export const FEEDBACK_FILE = 'feedback.csv';

/** Contract header + one line per row, in the given (stable) order. */
export function feedbackCsv(rows: readonly LabeledWineRecord[]): {
  bytes: Uint8Array;
  sha256: string;
} {
  const lines = [[...FEATURE_NAMES, 'wine_type', 'quality'].join(',')];
  for (const r of rows) {
    lines.push([...FEATURE_NAMES.map((n) => String(r[n])), r.wine_type, r.quality].join(','));
  }
  const bytes = Buffer.from(lines.join('\n') + '\n', 'utf8');
  return { bytes, sha256: sha256Hex(bytes) };
}
