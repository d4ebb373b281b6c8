/**
 * `pnpm run bench drift-windows`: how big a window must be. For each window size, many
 * seeded windows of unshifted UCI wines (false alarms) and of wines with alcohol shifted by
 * a quarter of its standard deviation (power) against the bundled model's reference, with
 * the default (Evidently) methods and thresholds. Deterministic: the same numbers on every
 * machine, so the README table can quote them. BENCH_DRIFT_TRIALS sets the windows per size.
 */
import {
  computeDrift,
  wineCurrentColumns,
  wineReferenceFromSample,
  type DriftReport,
} from '@wine/drift';
import { encodeColumns, readModelDir } from '@wine/model';
import { machine, round } from './learner/common';
import { BUNDLED_MODEL, drawWindow, referenceSample, uciColumns } from './drift/data';
import { valueRow } from './headline';
import type { Benchmark } from './registry';

const TRIALS = Number(process.env['BENCH_DRIFT_TRIALS'] ?? 200);
const SIZES = [200, 500, 1000, 2000, 5000];

export const driftWindowsBenchmark: Benchmark = {
  name: 'drift-windows',
  description: `false-alarm rate and power of the default drift tests by window size (${TRIALS} windows each)`,
  async run() {
    const sample = await referenceSample();
    const { model } = await readModelDir(BUNDLED_MODEL);
    const all = await uciColumns();
    const reference = wineReferenceFromSample(sample);
    let mean = 0;
    for (const v of all.features.alcohol) mean += v;
    mean /= all.rows;
    let sq = 0;
    for (const v of all.features.alcohol) sq += (v - mean) ** 2;
    const quarterStd = Math.sqrt(sq / all.rows) / 4;
    const run = (rows: number, seed: number, shift: number): DriftReport => {
      const w = drawWindow(all, rows, seed, false);
      const window =
        shift === 0
          ? w
          : {
              ...w,
              features: { ...w.features, alcohol: w.features.alcohol.map((v) => v + shift) },
            };
      return computeDrift(
        reference,
        wineCurrentColumns({ ...window, prediction: model.predict(encodeColumns(window)) }),
      );
    };
    const bySize = SIZES.map((rows) => {
      let anyFeature = 0;
      let dataset = 0;
      let prediction = 0;
      let drifted = 0;
      let detected = 0;
      for (let t = 0; t < TRIALS; t++) {
        const quiet = run(rows, 1000 * rows + t, 0);
        const flagged = Object.values(quiet.features).filter((f) => f.drifted).length;
        drifted += flagged;
        if (flagged > 0) anyFeature++;
        if (quiet.dataset_drift) dataset++;
        if (quiet.prediction?.drifted === true) prediction++;
        if (run(rows, 7000 * rows + t, quarterStd).features.alcohol?.drifted === true) detected++;
      }
      return {
        windowRows: rows,
        falseAlarms: {
          anyFeature: round(anyFeature / TRIALS, 3),
          meanDriftedFeatures: round(drifted / TRIALS, 3),
          prediction: round(prediction / TRIALS, 3),
          datasetDrift: round(dataset / TRIALS, 3),
        },
        powerAlcoholQuarterStd: round(detected / TRIALS, 3),
      };
    });
    const headline = bySize.flatMap((b) => {
      const n = b.windowRows.toLocaleString('en-US');
      return [
        valueRow({
          id: `drift-windows.false-alarms-${b.windowRows}`,
          label: `${n}-row windows of unshifted wines: share with any feature flagged (false alarms, ${TRIALS} windows)`,
          ours: round(b.falseAlarms.anyFeature * 100, 1),
          unit: '%',
        }),
        valueRow({
          id: `drift-windows.power-${b.windowRows}`,
          label: `${n}-row windows, alcohol shifted by ¼ σ: share where alcohol is flagged (power)`,
          ours: round(b.powerAlcoholQuarterStd * 100, 1),
          unit: '%',
        }),
      ];
    });
    return {
      headline,
      trials: TRIALS,
      reference: `bundled model sample (${sample.rows} rows), default methods (normed Wasserstein 0.1, Jensen–Shannon 0.1)`,
      windows: 'seeded draws with replacement from all 6,497 UCI wines',
      alcoholShift: round(quarterStd, 4),
      bySize,
      machine: machine(),
    };
  },
};
