/**
 * The three-way split, pure: a final holdout that is never used to choose a candidate, and
 * train/validation rows for the search. Choosing the best of many candidates on the holdout
 * and then gating it against the champion on the same rows favours the newcomer by chance
 * (the minimum of noisy estimates is biased low), so selection and gating use different rows.
 *
 * Two ways to split: `pnpm run train` (and `register --data`) use the seeded stratified
 * shuffle (threeWaySplit: exact shares, sklearn's rows, the golden models); the retraining
 * pipeline uses hashSplit (a row keeps its part as data grows; identical rows stay on one
 * side). The root README's Training section says why, and what it costs.
 */
import { createHash } from 'node:crypto';
import { FEATURE_NAMES, trainTestSplit, type LabeledWineRecord } from '@wine/model';

const pick = (rows: readonly LabeledWineRecord[], idx: Int32Array): LabeledWineRecord[] =>
  Array.from(idx, (i) => rows[i]).filter((r): r is LabeledWineRecord => r !== undefined);

function stratifiedSplit(
  rows: readonly LabeledWineRecord[],
  fraction: number,
  seed: number,
): { rest: LabeledWineRecord[]; held: LabeledWineRecord[] } {
  // Stratify on quality so rare scores (3, 9) land on both sides like sklearn's stratified split.
  const { train, test } = trainTestSplit(rows.length, {
    testFraction: fraction,
    seed,
    stratify: rows.map((r) => r.quality),
  });
  return { rest: pick(rows, train), held: pick(rows, test) };
}

/**
 * The seeded, stratified holdout: `testSize` of the rows. Taken first and on its own, so the
 * same data, seed and test size give the same holdout whatever the validation settings are
 * (`register --data` relies on that to score models on the rows `train` held out).
 */
export function holdoutSplit(
  rows: readonly LabeledWineRecord[],
  options: { testSize: number; seed: number },
): { rest: LabeledWineRecord[]; holdout: LabeledWineRecord[] } {
  const { rest, held } = stratifiedSplit(rows, options.testSize, options.seed);
  return { rest, holdout: held };
}

/** Carves the validation rows (candidate selection) out of the non-holdout rows. */
export function validationSplit(
  rows: readonly LabeledWineRecord[],
  options: { fraction: number; seed: number },
): { train: LabeledWineRecord[]; validation: LabeledWineRecord[] } {
  const { rest, held } = stratifiedSplit(rows, options.fraction, options.seed + 1);
  return { train: rest, validation: held };
}

export interface ThreeWaySplit {
  readonly train: LabeledWineRecord[];
  /** Empty when candidates are selected by k-fold cross-validation of `train`. */
  readonly validation: LabeledWineRecord[];
  readonly holdout: LabeledWineRecord[];
}

/**
 * train / validation / holdout in shares of all rows: `testSize` for the holdout,
 * `validationSize` for validation (0 with cross-validation: every non-holdout row trains).
 */
export function threeWaySplit(
  rows: readonly LabeledWineRecord[],
  options: { testSize: number; validationSize: number; seed: number },
): ThreeWaySplit {
  const { rest, holdout } = holdoutSplit(rows, options);
  if (options.validationSize === 0) return { train: rest, validation: [], holdout };
  const { train, validation } = validationSplit(rest, {
    fraction: options.validationSize / (1 - options.testSize),
    seed: options.seed,
  });
  return { train, validation, holdout };
}

/** A row's place in [0, 1), from a hash of the seed and its values (not its position). */
function rowPosition(row: LabeledWineRecord, seed: number): number {
  const values = FEATURE_NAMES.map((name) => String(row[name]));
  const digest = createHash('sha256')
    .update(`${seed}|${values.join(',')},${row.wine_type},${row.quality}`)
    .digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * train / validation / holdout by a hash of each row's values: a row's part depends on the
 * row alone, not on which other rows the data set holds. A retraining pipeline needs that:
 * when new rows arrive, the old rows keep their parts, so the holdout never contains rows
 * the current champion was trained on (which would flatter it), and identical rows never sit
 * on both sides. Shares are met in expectation (not exactly) and nothing is stratified.
 */
export function hashSplit(
  rows: readonly LabeledWineRecord[],
  options: { testSize: number; validationSize: number; seed: number },
): ThreeWaySplit {
  const parts: ThreeWaySplit = { train: [], validation: [], holdout: [] };
  for (const row of rows) {
    const u = rowPosition(row, options.seed);
    if (u < options.testSize) parts.holdout.push(row);
    else if (u < options.testSize + options.validationSize) parts.validation.push(row);
    else parts.train.push(row);
  }
  return parts;
}
