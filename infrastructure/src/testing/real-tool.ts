import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds an external tool for an integration test: the path in `envVar` if set, else `name` on
 * PATH. Only checks the file is executable: starting checkov just to probe it costs seconds.
 */
export function findTool(envVar: string, name: string): string | undefined {
  const explicit = process.env[envVar];
  if (explicit !== undefined && explicit !== '')
    return isExecutable(explicit) ? explicit : undefined;
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

/**
 * Registers `body` when the tool exists. Otherwise skips loudly, or, under
 * REQUIRE_REAL_SERVICES=1 (set by .ci/run), registers a failing test instead.
 */
export function describeWithTool(
  title: string,
  tool: { envVar: string; name: string; install: string },
  body: (binary: string) => void,
): void {
  const binary = findTool(tool.envVar, tool.name);
  if (binary !== undefined) {
    describe(title, () => {
      body(binary);
    });
    return;
  }
  const reason = `${tool.name} not found (set ${tool.envVar} or put it on PATH; ${tool.install})`;
  if (process.env['REQUIRE_REAL_SERVICES'] === '1') {
    it(`${title}: needs ${tool.name} (REQUIRE_REAL_SERVICES=1)`, () => {
      throw new TypeError(reason);
    });
  } else {
    console.warn(`SKIPPED ${title}: ${reason}`);
    // Skipped (not failed) only outside CI: the tool is absent here and REQUIRE_REAL_SERVICES is unset.
    it.skip(`${title} (${tool.name} missing)`, () => undefined);
  }
}
