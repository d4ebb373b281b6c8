/**
 * `pnpm run bench drift-cli`: `pnpm run drift` end to end as a user runs it — a new Node
 * process reading a 1,000,000-row CSV (alcohol and sulphates drifted), scoring it with the
 * bundled model and computing drift against its reference sample, `--json` output.
 * Target (issue 8): < 10 s. BENCH_DRIFT_CLI_ROWS shrinks the file for smoke runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FEATURE_NAMES } from '@wine/model';
import { ROOT, machine, median, round } from './learner/common';
import { BUNDLED_MODEL, drawWindow, uciColumns } from './drift/data';
import { goal, valueRow } from './headline';
import type { Benchmark } from './registry';

const ROWS = Number(process.env['BENCH_DRIFT_CLI_ROWS'] ?? 1_000_000);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const CLI = path.join(ROOT, 'training-scripts', 'dist', 'cli', 'drift.js');

export const driftCliBenchmark: Benchmark = {
  name: 'drift-cli',
  description: `pnpm run drift on a ${ROWS}-row CSV (new process, parse + score + drift)`,
  async run() {
    const window = drawWindow(await uciColumns(), ROWS, 2, true);
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'wine-bench-drift-cli-'));
    try {
      const file = path.join(tmp, 'current.csv');
      const columns = [...FEATURE_NAMES, 'wine_type'];
      const lines = [columns.join(',')];
      for (let r = 0; r < window.rows; r++) {
        lines.push(
          [...FEATURE_NAMES.map((f) => window.features[f][r]), window.wineType[r]].join(','),
        );
      }
      await writeFile(file, lines.join('\n') + '\n');
      const bytes = (await stat(file)).size;
      const run = promisify(execFile);
      const wall: number[] = [];
      let report: Record<string, unknown> = {};
      for (let i = 0; i < REPEATS; i++) {
        const t0 = performance.now();
        const { stdout } = await run(
          process.execPath,
          [CLI, '--reference', BUNDLED_MODEL, '--current', file, '--json'],
          {
            maxBuffer: 16 * 1024 * 1024,
          },
        );
        wall.push((performance.now() - t0) / 1000);
        report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
      }
      return {
        headline: [
          valueRow({
            id: 'drift-cli.time',
            label: `\`pnpm run drift\` on a ${ROWS.toLocaleString('en-US')}-row CSV: new process, parse, score, drift (median)`,
            ours: round(median(wall), 2),
            unit: 's',
            goal:
              ROWS === 1_000_000 ? goal('<', 10, '< 10 s for 1,000,000 rows (issue 8)') : undefined,
            threads: '1 process',
          }),
        ],
        rows: ROWS,
        fileMegabytes: round(bytes / 1e6, 1),
        ours: { seconds: wall.map((s) => round(s, 3)), medianSeconds: round(median(wall), 3) },
        result: {
          rows_current: report['rows_current'],
          drifted_columns: report['drifted_columns'],
        },
        targets: { medianSeconds: '< 10 (1,000,000 rows)' },
        machine: machine(),
      };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  },
};
