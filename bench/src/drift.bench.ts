/**
 * `pnpm run bench drift`: one drift computation over a 100,000-row window × 12 columns
 * (11 features + wine_type, plus the prediction) against the bundled model's 5,197-row
 * reference sample, prepared once as the monitor does — next to numpy/scipy doing the same
 * per-column work (Evidently's formulas) on the same arrays in the same run.
 * Target (issue 8): < 1 s. BENCH_DRIFT_ROWS shrinks the window for smoke runs.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { computeDrift, wineCurrentColumns, wineReferenceFromSample } from '@wine/drift';
import { FEATURE_NAMES, encodeColumns, readModelDir } from '@wine/model';
import { machine, median, round, runPeer } from './learner/common';
import { BUNDLED_MODEL, columnMajor, drawWindow, referenceSample, uciColumns } from './drift/data';
import { goal, peerField, timeRow, valueRow } from './headline';
import type { Benchmark } from './registry';

const ROWS = Number(process.env['BENCH_DRIFT_ROWS'] ?? 100_000);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 10);

function timed(fn: () => void, repeats: number): { wall: number[]; cpu: number[] } {
  fn(); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push((performance.now() - t0) / 1000);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1e6);
  }
  return { wall, cpu };
}

function seconds(peer: unknown, key: string): number[] {
  const v =
    typeof peer === 'object' && peer !== null ? (peer as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? v.filter((s): s is number => typeof s === 'number') : [];
}

export const driftBenchmark: Benchmark = {
  name: 'drift',
  python: true,
  description: `drift of a ${ROWS}-row window × 12 columns vs numpy/scipy on the same arrays`,
  async run() {
    const sample = await referenceSample();
    const { model } = await readModelDir(BUNDLED_MODEL);
    const window = drawWindow(await uciColumns(), ROWS, 1, true);
    const current = wineCurrentColumns({
      ...window,
      prediction: model.predict(encodeColumns(window)),
    });
    const prepareStart = performance.now();
    const reference = wineReferenceFromSample(sample);
    const prepareSeconds = (performance.now() - prepareStart) / 1000;
    const auto = timed(() => computeDrift(reference, current), REPEATS);
    const ks = timed(() => computeDrift(reference, current, { numericalMethod: 'ks' }), REPEATS);
    // The same work on both sides: our 12 feature scores next to the peer's.
    const scoresOf = (options: Parameters<typeof computeDrift>[2]): number[] => {
      const report = computeDrift(reference, current, options);
      return [...FEATURE_NAMES, 'wine_type'].map((f) => report.features[f]?.score ?? Number.NaN);
    };
    const agreement = (ours: number[], peer: unknown): number | null => {
      const theirs = seconds(peer, 'scores');
      return theirs.length === ours.length
        ? Math.max(...ours.map((s, i) => Math.abs(s - (theirs[i] as number))))
        : null;
    };

    const tmp = await mkdtemp(path.join(os.tmpdir(), 'wine-bench-drift-'));
    try {
      const refFile = path.join(tmp, 'reference.f64');
      const curFile = path.join(tmp, 'current.f64');
      await writeFile(refFile, columnMajor(sample));
      await writeFile(curFile, columnMajor(window));
      const args = (method: string): string[] => [
        refFile,
        String(sample.rows),
        curFile,
        String(ROWS),
        method,
        String(REPEATS),
      ];
      const peerWasserstein = await runPeer('scipy_drift.py', args('wasserstein'));
      const peerKs = await runPeer('scipy_drift.py', args('ks'));
      const ratio = (ours: number[], peer: unknown): number | null =>
        seconds(peer, 'seconds').length > 0
          ? round(median(seconds(peer, 'seconds')) / median(ours), 2)
          : null;
      const peerName = (peer: unknown): string =>
        `numpy ${peerField(peer, 'versions', 'numpy') ?? '?'} + scipy ${peerField(peer, 'versions', 'scipy') ?? '?'}`;
      const peerMedian = (peer: unknown) => {
        const s = seconds(peer, 'seconds');
        return s.length > 0 ? { name: peerName(peer), value: round(median(s)) } : undefined;
      };
      const rows = ROWS.toLocaleString('en-US');
      const headline = [
        valueRow({
          id: 'drift.window-time',
          label: `drift of a ${rows}-row window × 12 features + prediction, default methods (median)`,
          ours: round(median(auto.wall)),
          unit: 's',
          goal: ROWS === 100_000 ? goal('<', 1, '< 1 s for 100,000 rows (issue 8)') : undefined,
          threads: '1 thread',
        }),
        timeRow({
          id: 'drift.vs-scipy-auto',
          label: `same window, Wasserstein / Jensen–Shannon, vs the same formulas in numpy/scipy`,
          ours: round(median(auto.wall)),
          unit: 's',
          peer: peerMedian(peerWasserstein),
          threads: '1 thread each',
        }),
        timeRow({
          id: 'drift.vs-scipy-ks',
          label: `same window, Kolmogorov–Smirnov (asymptotic p) / Jensen–Shannon, vs scipy`,
          ours: round(median(ks.wall)),
          unit: 's',
          peer: peerMedian(peerKs),
          threads: '1 thread each',
        }),
      ];
      return {
        headline,
        windowRows: ROWS,
        referenceRows: sample.rows,
        columns: 13,
        ours: {
          prepareReferenceSeconds: round(prepareSeconds),
          auto: {
            method: 'wasserstein / jensenshannon',
            seconds: auto.wall.map((s) => round(s)),
            medianSeconds: round(median(auto.wall)),
            medianCpuSeconds: round(median(auto.cpu)),
          },
          ks: {
            method: 'ks (asymp p-value) / jensenshannon',
            seconds: ks.wall.map((s) => round(s)),
            medianSeconds: round(median(ks.wall)),
            medianCpuSeconds: round(median(ks.cpu)),
          },
        },
        scipy: { wasserstein: peerWasserstein, ks: peerKs },
        // > 1: we are faster. The peer does not compute the prediction column (12 vs 13 columns).
        maxScoreDifference: {
          auto: agreement(scoresOf({}), peerWasserstein),
          ks: agreement(scoresOf({ numericalMethod: 'ks' }), peerKs),
        },
        ratios: {
          scipyOverOursAuto: ratio(auto.wall, peerWasserstein),
          scipyOverOursKs: ratio(ks.wall, peerKs),
        },
        targets: { medianSeconds: '< 1 (100,000 rows × 12 features)' },
        machine: machine(),
      };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  },
};
