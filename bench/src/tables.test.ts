import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { CATALOG } from './catalog';
import type { HeadlineRow } from './registry';
import { goalVerdict, headlineSchema, resultFileSchema, type ResultFile } from './results';
import { README, generateReadme, readResults } from './tables';
import {
  formatNumber,
  formatRatio,
  formatValue,
  renderBenchmark,
  renderSection,
  renderTable,
  replaceSection,
} from './tables-render';

const ROOT = path.resolve(__dirname, '..', '..');

const row = (over: Partial<HeadlineRow> = {}): HeadlineRow => ({
  id: 'search.one-thread',
  label: '100-candidate tree search',
  ours: { value: 0.54, unit: 's' },
  peer: { name: 'scikit-learn 1.9.1', value: 2.23, unit: 's' },
  ratio: { value: 0.242, meaning: 'of the time' },
  goal: { op: '<=', value: 0.1, text: '≤ 0.1 of the time' },
  threads: '1 thread each',
  ...over,
});

const result = (over: Partial<ResultFile> = {}): ResultFile => ({
  name: 'search',
  command: 'pnpm run bench search',
  status: 'ok',
  seconds: 12.3,
  environment: {
    startedAt: '2026-11-30T05:00:01.123Z',
    finishedAt: '2026-11-30T05:00:13.456Z',
    git: { commit: '0123456789abcdef0123456789abcdef01234567', dirty: false },
    cpu: { model: 'Example CPU @ 2.0GHz', cores: 2, logical: 2 },
    memoryGiB: 23.5,
    os: 'Linux 6.1.0 (x64)',
    node: 'v24.1.0',
    loadAverage: { start: [0.12, 0.3, 0.4], end: [1.01, 0.5, 0.4] },
    python: {
      interpreter: '/opt/pyvenv/bin/python',
      python: '3.11.2',
      packages: { 'scikit-learn': '1.9.1', mlflow: null },
    },
  },
  headline: [row()],
  ...over,
});

describe('number formatting', () => {
  it.each([
    [0, '0'],
    [0.19, '0.19'],
    [0.1904, '0.19'],
    [0.72413, '0.724'],
    [0.000123456, '0.000123'],
    [2.2345, '2.23'],
    [13.74, '13.7'],
    [215.4, '215'],
    [8012.6, '8,013'],
    [21_100_000, '21,100,000'],
    [-0.5, '-0.5'],
    [Number.NaN, '—'],
  ])('%p → %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it('puts a space before units but not before %, × or nothing', () => {
    expect(formatValue(8012, 'req/s')).toBe('8,012 req/s');
    expect(formatValue(4.2, '%')).toBe('4.20%');
    expect(formatValue(1.37, '×')).toBe('1.37×');
    expect(formatRatio({ value: 1.37, meaning: '× the rate' })).toBe('1.37× the rate');
    expect(formatRatio({ value: 0.19, meaning: 'of the time' })).toBe('0.19 of the time');
  });
});

describe('goals', () => {
  it('judges the ratio when there is one, else ours', () => {
    expect(goalVerdict(row())).toBe('missed');
    expect(goalVerdict(row({ ratio: { value: 0.09, meaning: 'of the time' } }))).toBe('met');
    expect(goalVerdict(row({ ratio: { value: 0.1, meaning: 'of the time' } }))).toBe('met');
    expect(
      goalVerdict(
        row({
          ratio: { value: 0.1, meaning: 'of the time' },
          goal: { op: '<', value: 0.1, text: '< 0.1' },
        }),
      ),
    ).toBe('missed');
    const noRatio = { ...row(), ratio: undefined, peer: undefined };
    expect(goalVerdict({ ...noRatio, goal: { op: '>=', value: 0.5, text: '≥ 0.5 s' } })).toBe(
      'met',
    );
    expect(goalVerdict({ ...row(), goal: undefined })).toBe('none');
  });

  it('judges the ratio before rounding (0.872 s / 8.69 s shown as 0.1 misses ≤ 0.1)', () => {
    const shownAsGoal = row({
      ours: { value: 0.872, unit: 's' },
      peer: { name: 'p', value: 8.69, unit: 's' },
      ratio: { value: 0.1, meaning: 'of the time' },
    });
    expect(goalVerdict(shownAsGoal)).toBe('missed');
    const rate = row({
      ours: { value: 200, unit: 'req/s' },
      peer: { name: 'p', value: 100.4, unit: 'req/s' },
      ratio: { value: 2, meaning: '× the rate' },
      goal: { op: '>=', value: 2, text: '≥ 2×' },
    });
    expect(goalVerdict(rate)).toBe('missed'); // 1.992
    const peerOverOurs = row({
      ours: { value: 100, unit: 's' },
      peer: { name: 'p', value: 250, unit: 's' },
      ratio: { value: 2.5, meaning: '× faster' },
      goal: { op: '>=', value: 2.5, text: '≥ 2.5×' },
    });
    expect(goalVerdict(peerOverOurs)).toBe('met');
  });

  it('marks met and missed goals in the table', () => {
    const met = renderTable([row({ ratio: { value: 0.08, meaning: 'of the time' } })]);
    expect(met).toContain('| ≤ 0.1 of the time ✓ |');
    expect(renderTable([row()])).toContain('| ≤ 0.1 of the time ✗ |');
  });
});

describe('tables', () => {
  it('renders every column, and a dash for a missing peer, ratio, goal or threads', () => {
    const table = renderTable([
      row(),
      { id: 'x', label: 'no peer | here', ours: { value: 1234.5, unit: 'rows/s' } },
    ]);
    expect(table.split('\n')).toEqual([
      '| what | ours | peer | ratio | goal | threads |',
      '| --- | --- | --- | --- | --- | --- |',
      '| 100-candidate tree search | 0.54 s | scikit-learn 1.9.1: 2.23 s | 0.242 of the time | ≤ 0.1 of the time ✗ | 1 thread each |',
      '| no peer \\| here | 1,235 rows/s | — | — | — | — |',
    ]);
  });

  it('says where, when and how each result was measured', () => {
    const text = renderBenchmark({ name: 'search', title: 'Search' }, result());
    expect(text).toContain(
      'Measured on Example CPU @ 2.0GHz, 2 cores, 23.5 GiB · Linux 6.1.0 (x64) · Node v24.1.0 · Python 3.11.2 (scikit-learn 1.9.1) · 2026-11-30 05:00 UTC · commit 0123456789 · load average 0.12 → 1.01 · 12.3 s. Reproduce: `pnpm run bench search`.',
    );
    const dirty = renderBenchmark(
      { name: 'search', title: 'Search' },
      result({
        environment: { ...result().environment, git: { commit: 'abcdef0123456', dirty: true } },
      }),
    );
    expect(dirty).toContain('commit abcdef0123 (uncommitted changes)');
  });

  it('says "not measured yet" for a missing file and shows a failure instead of numbers', () => {
    expect(renderBenchmark({ name: 'onnx', title: 'ONNX' }, undefined)).toBe(
      '### ONNX\n\nNot measured yet — run `pnpm run bench onnx`.',
    );
    const failed = renderBenchmark(
      { name: 'search', title: 'Search' },
      result({ status: 'failed', error: 'peer crashed', headline: [] }),
    );
    expect(failed).toContain('The last run failed (peer crashed)');
    expect(failed).not.toContain('| what |');
  });

  it('lists the catalog in order, then results the catalog does not know', () => {
    const section = renderSection(
      [
        { name: 'b', title: 'B' },
        { name: 'a', title: 'A' },
      ],
      new Map([['zzz', result({ name: 'zzz' })]]),
    );
    expect(section.indexOf('### B')).toBeLessThan(section.indexOf('### A'));
    expect(section.indexOf('### A')).toBeLessThan(section.indexOf('### zzz'));
    expect(section.startsWith('<!-- bench:begin -->')).toBe(true);
    expect(section.endsWith('<!-- bench:end -->')).toBe(true);
  });

  it('replaces only the marked block and refuses a README without markers', () => {
    expect(replaceSection('a\n<!-- bench:begin -->old<!-- bench:end -->\nb', 'NEW')).toBe(
      'a\nNEW\nb',
    );
    expect(() => replaceSection('no markers', 'NEW')).toThrow(/bench:begin/);
  });
});

describe('schemas', () => {
  it('accepts the fixture and rejects malformed headline rows', () => {
    expect(resultFileSchema.safeParse(result()).success).toBe(true);
    expect(headlineSchema.safeParse([row(), row()]).success).toBe(false); // duplicate id
    expect(
      headlineSchema.safeParse([{ ...row(), ours: { value: Number.NaN, unit: 's' } }]).success,
    ).toBe(false);
    expect(headlineSchema.safeParse([{ ...row(), extra: 1 }]).success).toBe(false);
  });
});

describe('README benchmark section', () => {
  it('has a catalog entry (a README title) for every bench/src/<name>.bench.ts', async () => {
    const files = (await readdir(__dirname))
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => f.replace(/\.bench\.ts$/, ''))
      .sort();
    expect(CATALOG.map((c) => c.name).sort()).toEqual(files);
  });

  it('is what `pnpm run bench:tables` generates from the committed results files', async () => {
    // Only committed files: a local smoke run's results must not fail this test.
    const tracked = execFileSync('git', ['ls-files', '--', 'bench/results/*.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f !== '')
      .map((f) => path.join(ROOT, f));
    const readme = await readFile(README, 'utf8');
    const expected = await generateReadme(readme, await readResults(tracked));
    // On failure: run `pnpm run bench:tables` and commit README.md.
    expect(readme).toBe(expected);
  });
});
