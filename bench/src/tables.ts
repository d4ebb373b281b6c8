/**
 * `pnpm run bench:tables [--check]`: rewrites the README's benchmark section (between
 * `<!-- bench:begin -->` and `<!-- bench:end -->`) from bench/results/*.json, formatted as
 * prettier formats the README. `--check` writes nothing and exits 1 when the README is stale.
 */
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CATALOG } from './catalog';
import { ROOT } from './learner/common';
import { resultFileSchema, type ResultFile } from './results';
import { renderSection, replaceSection } from './tables-render';

export const README = path.join(ROOT, 'README.md');
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/** Parses results files (name → file); an invalid file is an error naming it. */
export async function readResults(files: readonly string[]): Promise<Map<string, ResultFile>> {
  const results = new Map<string, ResultFile>();
  for (const file of [...files].sort()) {
    const parsed = resultFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new Error(
        `${path.relative(ROOT, file)} is not a results file of \`pnpm run bench\` (${issues.join('; ')}); rerun the benchmark`,
      );
    }
    results.set(parsed.data.name, parsed.data);
  }
  return results;
}

export async function resultFiles(dir = RESULTS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f));
}

/** The README with its benchmark section generated from `results`, prettier-formatted. */
export async function generateReadme(
  readme: string,
  results: ReadonlyMap<string, ResultFile>,
): Promise<string> {
  return Promise.resolve(
    prettierFormat(replaceSection(readme, renderSection(CATALOG, results)), README),
  );
}

/**
 * Formats as lint-staged will (the repo's prettier config for that path). Prettier's CLI in a
 * child process: its API loads plugins with dynamic import(), which jest's CommonJS sandbox refuses.
 */
function prettierFormat(text: string, filepath: string): string {
  const bin = require.resolve('prettier/bin/prettier.cjs');
  const out = spawnSync(process.execPath, [bin, '--stdin-filepath', filepath], {
    input: text,
    encoding: 'utf8',
    cwd: ROOT,
  });
  if (out.status !== 0) throw new Error(`prettier failed: ${out.stderr || String(out.error)}`);
  return out.stdout;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files = await resultFiles();
  const current = await readFile(README, 'utf8');
  const next = await generateReadme(current, await readResults(files));
  if (next === current) {
    console.log(`README.md benchmark tables are up to date (${files.length} results file(s))`);
    return;
  }
  if (check) {
    console.error('README.md benchmark tables are stale: run `pnpm run bench:tables`');
    process.exit(1);
  }
  await writeFile(README, next);
  console.log(`README.md benchmark tables regenerated from ${files.length} results file(s)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
