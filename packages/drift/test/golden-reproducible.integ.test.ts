/**
 * The committed golden cases are what the committed script prints with the pinned scipy:
 * re-runs golden/generate_cases.py (SCIPY_PYTHON, provisioned by .ci/services/scipy.sh) and
 * compares. ~3 s. Skips loudly without the venv, fails under REQUIRE_REAL_SERVICES=1.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const python = process.env.SCIPY_PYTHON;
const root = path.join(__dirname, '..');

if (python === undefined || python === '' || !existsSync(python)) {
  const reason =
    'SCIPY_PYTHON is not set: run `source .ci/services/scipy.sh` (CACHE=~/.cache/wine-ci)';
  if (process.env.REQUIRE_REAL_SERVICES === '1') {
    it('needs the scipy venv (REQUIRE_REAL_SERVICES=1)', () => {
      throw new Error(reason);
    });
  } else {
    console.warn(`SKIPPED golden-case reproduction: ${reason}`);
    // Outside CI the scipy venv may be absent; .ci/run provisions it and requires this test.
    it.skip('regenerates the golden cases (scipy venv missing)', () => undefined);
  }
} else {
  it('golden/generate_cases.py reproduces test/golden/cases.json byte for byte', async () => {
    const { stdout } = await promisify(execFile)(
      python,
      [path.join(root, 'golden', 'generate_cases.py')],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    expect(stdout).toBe(readFileSync(path.join(root, 'test', 'golden', 'cases.json'), 'utf8'));
  }, 60_000);
}
