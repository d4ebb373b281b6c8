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
  it('golden/generate_cases.py reproduces test/golden/cases.json (to 1e-12 relative)', async () => {
    const { stdout } = await promisify(execFile)(
      python,
      [path.join(root, 'golden', 'generate_cases.py')],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const committed: unknown = JSON.parse(
      readFileSync(path.join(root, 'test', 'golden', 'cases.json'), 'utf8'),
    );
    // numpy picks its summation kernel by CPU (AVX2 / AVX-512), so the same pinned versions
    // differ in the last bits from machine to machine; the structure and every string must
    // match, and every number to a relative 1e-12 (the drift tests themselves use 1e-9).
    expect(differences(JSON.parse(stdout), committed, '$')).toEqual([]);
  }, 60_000);
}

/** Paths where `a` and `b` differ beyond a relative 1e-12 for numbers, exactly otherwise. */
function differences(a: unknown, b: unknown, at: string): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    const close =
      a === b ||
      (Number.isNaN(a) && Number.isNaN(b)) ||
      Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    return close ? [] : [`${at}: ${a} vs ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${at}: length ${a.length} vs ${b.length}`];
    return a.flatMap((v, i) => differences(v, b[i], `${at}[${i}]`));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return [`${at}: keys ${ka.join()} vs ${kb.join()}`];
    return ka.flatMap((k) =>
      differences(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${at}.${k}`,
      ),
    );
  }
  return a === b ? [] : [`${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
}
