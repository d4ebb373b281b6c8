/**
 * Pure rendering of the README's benchmark section from parsed results files: one table per
 * benchmark (what / ours / peer / ratio / goal / threads) and a line saying where, when and
 * at which commit it was measured and the command that reproduces it. A benchmark without a
 * results file says so instead of showing a number. No IO here (tables.ts reads and writes).
 */
import type { CatalogEntry } from './catalog';
import { benchCommand } from './catalog';
import type { HeadlineRow } from './registry';
import { goalVerdict, type Environment, type ResultFile } from './results';

export const BEGIN_MARKER = '<!-- bench:begin -->';
export const END_MARKER = '<!-- bench:end -->';

/** A number as a table shows it: grouped thousands, three significant digits below 100. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  const digits = abs >= 10 ? 1 : abs >= 1 ? 2 : undefined;
  if (digits !== undefined) return value.toFixed(digits);
  // Below 1: three significant digits, trailing zeros dropped (0.190 → 0.19).
  return String(Number(value.toPrecision(3)));
}

const TIGHT_UNITS = new Set(['', '%', '×']);

export function formatValue(value: number, unit: string): string {
  const n = formatNumber(value);
  return TIGHT_UNITS.has(unit) ? `${n}${unit}` : `${n} ${unit}`;
}

export function formatRatio(ratio: { readonly value: number; readonly meaning: string }): string {
  const n = formatNumber(ratio.value);
  return ratio.meaning.startsWith('×') ? `${n}${ratio.meaning}` : `${n} ${ratio.meaning}`;
}

export function formatGoal(row: HeadlineRow): string {
  if (row.goal === undefined) return '—';
  const verdict = goalVerdict(row);
  return `${row.goal.text} ${verdict === 'met' ? '✓' : '✗'}`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export const TABLE_HEADER = ['what', 'ours', 'peer', 'ratio', 'goal', 'threads'] as const;

/** One row's cells in TABLE_HEADER order (also what `pnpm run bench` prints). */
export function rowCells(row: HeadlineRow): string[] {
  return [
    row.label,
    formatValue(row.ours.value, row.ours.unit),
    row.peer === undefined
      ? '—'
      : `${row.peer.name}: ${formatValue(row.peer.value, row.peer.unit)}`,
    row.ratio === undefined ? '—' : formatRatio(row.ratio),
    formatGoal(row),
    row.threads ?? '—',
  ];
}

export function renderTable(rows: readonly HeadlineRow[]): string {
  const lines = [
    `| ${TABLE_HEADER.join(' | ')} |`,
    `| ${TABLE_HEADER.map(() => '---').join(' | ')} |`,
  ];
  for (const row of rows) lines.push(`| ${rowCells(row).map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function pythonPart(env: Environment): string | undefined {
  const py = env.python;
  if (py === undefined) return undefined;
  if (py.python === null) return `Python peer unavailable (${py.interpreter})`;
  const packages = Object.entries(py.packages)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([name, version]) => `${name} ${version}`);
  return `Python ${py.python}${packages.length > 0 ? ` (${packages.join(', ')})` : ''}`;
}

/** "Measured on …": machine, cores, versions, date, commit, load, and the command. */
export function renderEnvironment(result: ResultFile): string {
  const env = result.environment;
  const date = env.startedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  const commit =
    env.git.commit === null
      ? 'unknown commit'
      : `commit ${env.git.commit.slice(0, 10)}${env.git.dirty === true ? ' (uncommitted changes)' : ''}`;
  const loadStart = env.loadAverage.start[0];
  const loadEnd = env.loadAverage.end[0];
  const parts = [
    `${env.cpu.model}, ${env.cpu.cores} cores, ${formatNumber(env.memoryGiB)} GiB`,
    env.os,
    `Node ${env.node}`,
    pythonPart(env),
    date,
    commit,
    loadStart === undefined || loadEnd === undefined
      ? undefined
      : `load average ${formatNumber(loadStart)} → ${formatNumber(loadEnd)}`,
    `${formatNumber(result.seconds)} s`,
  ].filter((p): p is string => p !== undefined);
  return `Measured on ${parts.join(' · ')}. Reproduce: \`${benchCommand(result.name)}\`.`;
}

export function renderBenchmark(entry: CatalogEntry, result: ResultFile | undefined): string {
  const heading = `### ${entry.title}`;
  const command = benchCommand(entry.name);
  if (result === undefined) {
    return `${heading}\n\nNot measured yet — run \`${command}\`.`;
  }
  if (result.status === 'failed') {
    return `${heading}\n\nThe last run failed (${cell(result.error ?? 'unknown error')}), so there are no numbers — run \`${command}\`.\n\n${renderEnvironment(result)}`;
  }
  if (result.headline.length === 0) {
    return `${heading}\n\nNo headline rows in bench/results/${entry.name}.json yet — run \`${command}\`.\n\n${renderEnvironment(result)}`;
  }
  return `${heading}\n\n${renderTable(result.headline)}\n\n${renderEnvironment(result)}`;
}

/**
 * The whole generated section, markers included: the catalog's benchmarks in order, then
 * any results file the catalog does not know (titled by its name).
 */
export function renderSection(
  catalog: readonly CatalogEntry[],
  results: ReadonlyMap<string, ResultFile>,
): string {
  const known = new Set(catalog.map((c) => c.name));
  const extra = [...results.keys()]
    .filter((name) => !known.has(name))
    .sort()
    .map((name) => ({ name, title: name }));
  const blocks = [...catalog, ...extra].map((entry) =>
    renderBenchmark(entry, results.get(entry.name)),
  );
  return [
    BEGIN_MARKER,
    '<!-- Generated by `pnpm run bench:tables` from bench/results/*.json: edit those, not this. -->',
    '',
    ...blocks.flatMap((b) => [b, '']),
    END_MARKER,
  ].join('\n');
}

/** Replaces the text between the markers (inclusive); throws when they are missing. */
export function replaceSection(readme: string, section: string): string {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin < 0 || end < begin) {
    throw new Error(
      `README.md has no "${BEGIN_MARKER}" … "${END_MARKER}" block; add both markers where the benchmark tables go`,
    );
  }
  return readme.slice(0, begin) + section + readme.slice(end + END_MARKER.length);
}
