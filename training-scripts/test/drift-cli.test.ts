/**
 * The drift CLI as a user runs it: a real child process on real files, against the bundled
 * model's reference sample. Current windows are rows of that sample, shifted or not. ~5 s.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  FEATURE_NAMES,
  createRng,
  readModelDir,
  readModelReference,
  serializeModel,
  takeColumnRows,
  type WineColumns,
} from '@wine/model';
import type { DriftReport } from '@wine/drift';
import { builtCli, runNode } from './cli-harness';

const drift = builtCli('drift');
// Runs the built CLI; builtCli() warns when dist is missing and throws under REQUIRE_REAL_SERVICES=1.
const itBuilt = drift === undefined ? it.skip : it;
const bundled = path.resolve(__dirname, '..', '..', 'prediction-service', 'model');
let tmp: string;
let sample: WineColumns;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'drift-cli-'));
  const reference = await readModelReference(bundled);
  if (reference.kind !== 'sample') throw new Error('the bundled model has no reference sample');
  sample = reference.sample;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** `rows` random rows of the reference sample, optionally changed, as a snake_case CSV. */
async function currentCsv(
  name: string,
  rows: number,
  change: (row: Record<string, number | string>) => void = () => undefined,
  columns: readonly string[] = [...FEATURE_NAMES, 'wine_type'],
): Promise<string> {
  const rng = createRng(rows);
  const picked = takeColumnRows(
    sample,
    Array.from({ length: rows }, () => rng.int(sample.rows)),
  );
  const lines = [columns.join(',')];
  for (let r = 0; r < rows; r++) {
    const row: Record<string, number | string> = { wine_type: picked.wineType[r] as string };
    for (const f of FEATURE_NAMES) row[f] = picked.features[f][r] as number;
    row.quality = picked.quality?.[r] as number;
    row.prediction = picked.prediction?.[r] as number;
    change(row);
    lines.push(columns.map((c) => String(row[c])).join(','));
  }
  const file = path.join(tmp, `${name}.csv`);
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

function report(stdout: string): DriftReport {
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as DriftReport;
}

const drifted = (r: DriftReport): string[] =>
  Object.entries(r.features)
    .filter(([, f]) => f.drifted)
    .map(([n]) => n);

describe('drift CLI', () => {
  itBuilt('unshifted rows: no drift; the table names every column', async () => {
    const current = await currentCsv('same', 1000);
    const json = await runNode(drift!, ['--reference', bundled, '--current', current, '--json']);
    expect(json.code).toBe(0);
    const r = report(json.stdout);
    expect(r).toMatchObject({
      status: 'ok',
      rows_reference: 5197,
      rows_current: 1000,
      dataset_drift: false,
    });
    expect(drifted(r)).toEqual([]);
    expect(r.prediction).toMatchObject({ method: 'wasserstein', drifted: false });
    const table = await runNode(drift!, ['--reference', bundled, '--current', current]);
    expect(table.stdout).toMatch(/Dataset drift: not detected/);
    for (const f of FEATURE_NAMES) expect(table.stdout).toContain(f);
  });

  itBuilt(
    'alcohol +1.5 and sulphates ×1.3: exactly those drift, and the prediction; HTML report',
    async () => {
      const current = await currentCsv('shifted', 1000, (row) => {
        row.alcohol = (row.alcohol as number) + 1.5;
        row.sulphates = (row.sulphates as number) * 1.3;
      });
      const html = path.join(tmp, 'report.html');
      const result = await runNode(drift!, [
        '--reference',
        bundled,
        '--current',
        current,
        '--json',
        '--html',
        html,
        '--fail-on-drift',
        '--drift-share',
        '0.2',
      ]);
      const r = report(result.stdout);
      expect(drifted(r).sort()).toEqual(['alcohol', 'sulphates']);
      expect(r.prediction?.drifted).toBe(true);
      expect(r.dataset_drift).toBe(true); // 3 of 13 ≥ 0.2
      expect(result.code).toBe(3);
      const page = await readFile(html, 'utf8');
      expect(page).toMatch(/^<!doctype html>/);
      expect(page.match(/<svg/g)?.length).toBe(26); // a sparkline and a chart for each of 13 columns
      expect(page).not.toMatch(/(src|href)=["']?https?:/); // one file, no CDN
      expect(page).toContain('alcohol');
    },
  );

  itBuilt('a CSV reference is used whole; --model adds prediction drift', async () => {
    const reference = await currentCsv('reference', 800, undefined, [
      ...FEATURE_NAMES,
      'wine_type',
      'quality',
    ]);
    const current = await currentCsv('current', 400, (row) => {
      row.wine_type = 'white';
    });
    const without = await runNode(drift!, [
      '--reference',
      reference,
      '--current',
      current,
      '--json',
    ]);
    const r1 = report(without.stdout);
    expect(r1.rows_reference).toBe(800);
    expect(r1.prediction).toBeNull();
    expect(r1.features.alcohol?.method).toBe('ks'); // ≤ 1,000 reference rows
    expect(r1.features.wine_type).toMatchObject({ method: 'z', drifted: true });
    const withModel = await runNode(drift!, [
      '--reference',
      reference,
      '--current',
      current,
      '--model',
      bundled,
      '--json',
    ]);
    expect(report(withModel.stdout).prediction?.method).toBe('ks');
  });

  itBuilt('a prediction column in the current CSV is used as is', async () => {
    const current = await currentCsv(
      'logged',
      1000,
      (row) => {
        row.prediction = (row.prediction as number) + 1;
      },
      [...FEATURE_NAMES, 'wine_type', 'prediction'],
    );
    const r = report(
      (await runNode(drift!, ['--reference', bundled, '--current', current, '--json'])).stdout,
    );
    expect(drifted(r)).toEqual([]);
    expect(r.prediction?.drifted).toBe(true);
  });

  itBuilt('a small window is "not enough data", never drift', async () => {
    const current = await currentCsv('small', 150, (row) => {
      row.alcohol = (row.alcohol as number) + 3;
    });
    const result = await runNode(drift!, [
      '--reference',
      bundled,
      '--current',
      current,
      '--json',
      '--fail-on-drift',
    ]);
    expect(result.code).toBe(0);
    expect(report(result.stdout)).toMatchObject({
      status: 'not_enough_data',
      dataset_drift: false,
    });
  });

  itBuilt('an older model without a sample: its profile, flagged approximate', async () => {
    const old = path.join(tmp, 'old-model');
    await cp(bundled, old, { recursive: true });
    const md = await readModelDir(old);
    const { sample: _sample, ...profile } = md.document.reference!;
    await writeFile(
      path.join(old, 'model.json'),
      serializeModel({ ...md.document, reference: profile }),
    );
    await rm(path.join(old, 'reference_sample.csv.gz'));
    const current = await currentCsv('vs-old', 2000, (row) => {
      row.alcohol = (row.alcohol as number) + 1.5;
    });
    const approx = report(
      (await runNode(drift!, ['--reference', old, '--current', current, '--json'])).stdout,
    );
    const exact = report(
      (await runNode(drift!, ['--reference', bundled, '--current', current, '--json'])).stdout,
    );
    expect(approx.reference.approximate).toBe(true);
    expect(exact.reference.approximate).toBe(false);
    expect(approx.warnings.join(' ')).toMatch(/binned training profile/);
    expect(drifted(approx)).toEqual(['alcohol']);
    for (const name of Object.keys(exact.features)) {
      expect(Math.abs(approx.features[name]!.score! - exact.features[name]!.score!)).toBeLessThan(
        0.03,
      );
    }
  });

  itBuilt('bad input: a clear error and exit status 1', async () => {
    const missing = await runNode(drift!, [
      '--reference',
      bundled,
      '--current',
      path.join(tmp, 'nope.csv'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/DATA_FILE_NOT_FOUND.*nope\.csv: no such file/);
    const current = await currentCsv('ok', 300);
    const badFlag = await runNode(drift!, [
      '--reference',
      bundled,
      '--current',
      current,
      '--threshold',
      'wasserstein',
    ]);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toMatch(/--threshold.*give <method>=<positive number>/);
    const text = (await readFile(current, 'utf8')).replace(/\n([0-9.]+),/, '\n-1,');
    await writeFile(current, text);
    const badRow = await runNode(drift!, ['--reference', bundled, '--current', current]);
    expect(badRow.code).toBe(1);
    expect(badRow.stderr).toMatch(/ok\.csv:2, column "fixed_acidity": value "-1"/);
    const skipped = await runNode(drift!, [
      '--reference',
      bundled,
      '--current',
      current,
      '--skip-invalid',
    ]);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/299 rows \(1 rejected\)/);
  });
});
