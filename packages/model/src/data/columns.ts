import { FEATURE_NAMES, TARGET_NAME } from '../core/features';

/** Every column a wine CSV must provide, in contract order (wine_type may come from the file). */
export const REQUIRED_COLUMNS: readonly string[] = [...FEATURE_NAMES, TARGET_NAME];
export const WINE_TYPE_COLUMN_NAME = 'wine_type';

/**
 * Maps a header cell onto a contract name: the UCI headers ("fixed acidity", "pH",
 * "free sulfur dioxide") and snake_case headers both normalise to the same key.
 */
export function canonicalColumnName(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_');
}

/** Counts each candidate delimiter outside quotes in the header line; the most frequent wins. */
export function detectDelimiter(text: string): ';' | ',' | '\t' {
  const candidates = [';', ',', '\t'] as const;
  const counts = { ';': 0, ',': 0, '\t': 0 };
  let inQuotes = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && (ch === ';' || ch === ',' || ch === '\t')) counts[ch] += 1;
  }
  return candidates.reduce((best, c) => (counts[c] > counts[best] ? c : best), ',');
}
