/** Runs a built CLI from training-scripts/dist as a real child process. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const DIST = path.resolve(__dirname, '..', 'dist', 'cli');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built CLIs exist only after `pnpm build` (which `pnpm test` runs first). */
export function builtCli(name: string): string | undefined {
  const file = path.join(DIST, `${name}.js`);
  if (existsSync(file)) return file;
  if (process.env.REQUIRE_REAL_SERVICES === '1') {
    throw new Error(`${file} is missing: run \`pnpm build\` before the tests`);
  }
  console.warn(`SKIPPING: ${file} is missing — run \`pnpm build\` to test the real CLI`);
  return undefined;
}

export function runNode(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}
