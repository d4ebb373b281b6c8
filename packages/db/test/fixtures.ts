import { EXAMPLE_WINE } from '@wine/model';
import type { WineRecord } from '@wine/model';
import type { PredictionLogEntry } from '../src/index';

export const MODEL = {
  name: 'wine-quality',
  version: '3',
  source: 'models:/wine-quality@champion',
};

let seq = 0;

/** An entry of `rows` records; record i has alcohol 9 + i / 100 so rows are distinguishable. */
export function entry(
  rows = 1,
  overrides: Partial<Omit<PredictionLogEntry, 'records' | 'predictions'>> = {},
): PredictionLogEntry {
  const records: WineRecord[] = Array.from({ length: rows }, (_, i) => ({
    ...EXAMPLE_WINE,
    alcohol: 9 + i / 100,
  }));
  return {
    requestId: `req-${++seq}`,
    endpoint: '/predict',
    model: MODEL,
    records,
    predictions: records.map((_, i) => 5 + i / 1000),
    receivedAt: Date.now(),
    ...overrides,
  };
}
