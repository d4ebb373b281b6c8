/**
 * `pnpm run bench [name...]`: runs each registered benchmark (all by default) and writes
 * its JSON result to bench/results/<name>.json. Benchmarks compare against a peer on the
 * same machine in the same run and report ratios, because these machines are noisy.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BENCHMARKS } from './registry';

async function main(): Promise<void> {
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
  for (const bench of selected) {
    console.log(`\n▶ ${bench.name}: ${bench.description}`);
    const started = Date.now();
    const result = await bench.run();
    const file = path.join(resultsDir, `${bench.name}.json`);
    const record = {
      name: bench.name,
      finishedAt: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
      ...result,
    };
    await writeFile(file, JSON.stringify(record, null, 2) + '\n');
    console.log(`  wrote ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
