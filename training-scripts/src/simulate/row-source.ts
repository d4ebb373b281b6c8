/**
 * The rows a simulation replays: wines (with their true quality, for feedback) drawn from a
 * data set in a seeded shuffled cycle, or in file order; with a colour mix, each draw first
 * picks the colour, then the next wine of that colour.
 */
import { createRng, shuffleInPlace, type LabeledWineRecord, type Rng } from '@wine/model';
import { injectDrift, type DriftInjection } from './drift-injection';

export interface RowSource {
  next(): LabeledWineRecord;
}

/** An endless cycle over `rows` (reshuffled each lap when shuffling). */
function cycle(
  rows: readonly LabeledWineRecord[],
  shuffle: boolean,
  rng: Rng,
): () => LabeledWineRecord {
  const order = Int32Array.from({ length: rows.length }, (_, i) => i);
  let at = order.length;
  return () => {
    if (at >= order.length) {
      if (shuffle) shuffleInPlace(order, rng);
      at = 0;
    }
    return rows[order[at++] as number] as LabeledWineRecord;
  };
}

export function createRowSource(
  rows: readonly LabeledWineRecord[],
  options: {
    readonly seed: number;
    readonly order: 'shuffle' | 'sequential';
    readonly drift: DriftInjection;
  },
): RowSource {
  if (rows.length === 0) throw new RangeError('no rows to replay');
  const rng = createRng(options.seed);
  const shuffle = options.order === 'shuffle';
  const { drift } = options;
  let draw = cycle(rows, shuffle, rng);
  if (drift.whiteShare !== undefined) {
    const white = rows.filter((r) => r.wine_type === 'white');
    const red = rows.filter((r) => r.wine_type === 'red');
    const share = drift.whiteShare;
    if ((share > 0 && white.length === 0) || (share < 1 && red.length === 0)) {
      throw new RangeError(
        `--white-share ${share} needs ${share > 0 ? 'white' : 'red'} wines, and the data has none`,
      );
    }
    const nextWhite = white.length > 0 ? cycle(white, shuffle, rng) : undefined;
    const nextRed = red.length > 0 ? cycle(red, shuffle, rng) : undefined;
    draw = () => {
      const pick = (rng.next() < share ? nextWhite : nextRed) ?? nextWhite ?? nextRed;
      if (pick === undefined) throw new RangeError('no rows to replay');
      return pick();
    };
  }
  return {
    next: () => {
      const row = draw();
      return { ...injectDrift(row, drift), quality: row.quality };
    },
  };
}
