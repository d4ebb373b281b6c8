/**
 * `pnpm run bench [name...]`: runs each registered benchmark (all by default) and writes
 * its JSON result to bench/results/<name>.json with the environment it ran in (machine,
 * cores, versions, git commit, load average at start and end). Benchmarks compare against a
 * peer on the same machine in the same run and report ratios, because these machines are
 * noisy. After each benchmark its headline rows are printed with their goals; a benchmark
 * that fails records its error in its file and the run goes on. `pnpm run bench:tables`
 * renders the README tables from the files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CATALOG, benchCommand } from './catalog';
import { startEnvironment } from './environment';
import { BENCHMARKS } from './registry';
import type { HeadlineRow } from './registry';
import { goalVerdict, headlineSchema } from './results';
import { TABLE_HEADER, rowCells } from './tables-render';

interface Outcome {
  readonly name: string;
  readonly seconds: number;
  readonly error?: string;
  readonly headline: readonly HeadlineRow[];
}

function printHeadline(rows: readonly HeadlineRow[]): void {
  if (rows.length === 0) {
    console.log('  (no headline rows)');
    return;
  }
  const table = rows.map(rowCells);
  const header = [...TABLE_HEADER];
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')}`.trimEnd();
  console.log(line(header));
  for (const r of table) console.log(line(r));
}

function printSummary(outcomes: readonly Outcome[], seconds: number): void {
  console.log(`\n■ ${outcomes.length} benchmark(s) in ${formatDuration(seconds)}`);
  let met = 0;
  let missed = 0;
  for (const o of outcomes) {
    const verdicts = o.headline.map(goalVerdict);
    const m = verdicts.filter((v) => v === 'met').length;
    const x = verdicts.filter((v) => v === 'missed').length;
    met += m;
    missed += x;
    const goals = m + x === 0 ? 'no goals' : `goals ${m}/${m + x} met`;
    const status = o.error === undefined ? '✓' : '✗ FAILED';
    console.log(
      `  ${status} ${o.name.padEnd(16)} ${formatDuration(o.seconds).padStart(8)}  ${goals}` +
        (o.error === undefined ? '' : `  — ${o.error}`),
    );
    for (const row of o.headline) {
      if (goalVerdict(row) === 'missed')
        console.log(`      ✗ ${row.label}: goal ${row.goal?.text}`);
    }
  }
  const failed = outcomes.filter((o) => o.error !== undefined).length;
  console.log(
    `  goals: ${met} met, ${missed} missed${failed > 0 ? `; ${failed} benchmark(s) failed` : ''}`,
  );
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

/** The README generator titles benchmarks from the catalog; a missing entry is only a warning. */
function checkCatalog(): void {
  const registered = BENCHMARKS.map((b) => b.name).sort();
  const listed = CATALOG.map((c) => c.name).sort();
  if (registered.join() !== listed.join()) {
    console.warn(
      `! bench/src/catalog.ts and registry.ts disagree (registry: ${registered.join(', ')}; catalog: ${listed.join(', ')}); add the missing entries to catalog.ts for the README titles`,
    );
  }
}

/**
 * A stray promise rejection inside a benchmark (a peer process's late error, a socket closed
 * after the measurement) would end the whole run under Node's default; it is printed and
 * recorded in the running benchmark's file (`strayErrors`) instead.
 */
const strayErrors: string[] = [];
process.on('unhandledRejection', (reason: unknown) => {
  const message = reason instanceof Error ? reason.message : String(reason);
  strayErrors.push(message);
  console.error(`  ! unhandled rejection (recorded in the results file): ${message}`);
});

function usage(): string {
  const width = Math.max(...BENCHMARKS.map((b) => b.name.length));
  return [
    'Usage: pnpm run bench [name...]   (all benchmarks when no name is given)',
    '',
    'Each benchmark runs against its peer on this machine and writes bench/results/<name>.json;',
    'its headline rows and goals are printed after it, a summary at the end. Then',
    '`pnpm run bench:tables` regenerates the README tables from the results files.',
    "BENCH_PYTHON picks the Python peers' interpreter; each bench/src/<name>.bench.ts says",
    'which BENCH_* variables shrink it for a smoke run.',
    '',
    ...BENCHMARKS.map((b) => `  ${b.name.padEnd(width)}  ${b.description}`),
  ].join('\n');
}

async function main(): Promise<void> {
  checkCatalog();
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage());
    return;
  }
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark(s): ${unknown.join(', ')}. Available: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    );
    process.exit(2);
  }
  const selected =
    wanted.length > 0 ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;
  const resultsDir = path.resolve(__dirname, '..', 'results');
  await mkdir(resultsDir, { recursive: true });
  const runStarted = Date.now();
  const outcomes: Outcome[] = [];
  for (const bench of selected) {
    console.log(`\n▶ ${bench.name}: ${bench.description}`);
    const environment = await startEnvironment({ python: bench.python === true });
    const started = Date.now();
    let result: Record<string, unknown> = {};
    let headline: HeadlineRow[] = [];
    let error: string | undefined;
    try {
      const { headline: rows, ...rest } = await bench.run();
      result = rest;
      const parsed = headlineSchema.safeParse(rows ?? []);
      if (!parsed.success) {
        throw new Error(
          `invalid headline rows: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      headline = parsed.data;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      console.error(`  ✗ ${bench.name} failed: ${error}`);
      if (e instanceof Error && e.stack !== undefined) console.error(e.stack);
    }
    const seconds = (Date.now() - started) / 1000;
    const stray = strayErrors.splice(0);
    const file = path.join(resultsDir, `${bench.name}.json`);
    const meta = {
      name: bench.name,
      description: bench.description,
      command: benchCommand(bench.name),
      status: error === undefined ? 'ok' : 'failed',
      ...(error === undefined ? {} : { error }),
      seconds,
      environment: await environment.finish(),
      headline,
      ...(stray.length === 0 ? {} : { strayErrors: stray }),
    };
    // Metadata first in the file, and a measurement cannot overwrite it.
    const record = { ...meta, ...result, ...meta };
    await writeFile(file, JSON.stringify(record, null, 2) + '\n');
    printHeadline(headline);
    console.log(`  ${formatDuration(seconds)}; wrote ${path.relative(process.cwd(), file)}`);
    outcomes.push({
      name: bench.name,
      seconds,
      headline,
      ...(error === undefined ? {} : { error }),
    });
  }
  printSummary(outcomes, (Date.now() - runStarted) / 1000);
  if (outcomes.some((o) => o.error !== undefined)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
