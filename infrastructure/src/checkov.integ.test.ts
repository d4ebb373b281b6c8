/**
 * Scans the synthesized Terraform JSON with checkov (PyPI) using infrastructure/checkov.yaml:
 * zero failed checks, and every skip in that file must be justified and still needed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { synthesize } from './synth';
import { testConfig } from './testing/fixtures';
import { describeWithTool } from './testing/real-tool';

const CONFIG_FILE = resolve(__dirname, '..', 'checkov.yaml');

interface CheckovReport {
  summary: { passed: number; failed: number; parsing_errors: number };
  results: {
    passed_checks: { check_id: string }[];
    failed_checks: { check_id: string; resource: string }[];
  };
}

/** Runs checkov with JSON output; it exits 1 when a check fails, so the report is what counts. */
function runCheckov(binary: string, args: string[]): Promise<CheckovReport> {
  return new Promise((done, fail) => {
    execFile(
      binary,
      [...args, '-o', 'json'],
      { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          const parsed = JSON.parse(stdout) as CheckovReport | CheckovReport[];
          const reports = Array.isArray(parsed) ? parsed : [parsed];
          if (reports.length !== 1 || reports[0] === undefined) throw new TypeError('one report');
          done(reports[0]);
        } catch (cause) {
          fail(
            new TypeError(`checkov gave no JSON report: ${error?.message ?? ''}\n${stderr}`, {
              cause,
            }),
          );
        }
      },
    );
  });
}

/** Skip ids in checkov.yaml, each with the comment written above it. */
function skipList(): { id: string; comment: string }[] {
  const doc = parseDocument(readFileSync(CONFIG_FILE, 'utf8'));
  const skips = doc.get('skip-check', true);
  if (!isSeq(skips)) throw new TypeError('checkov.yaml has no skip-check list');
  let lastComment = skips.commentBefore ?? '';
  return skips.items.map((item) => {
    // A comment covers the ids below it until the next comment.
    const node = item as { value: unknown; commentBefore?: string | null };
    if (node.commentBefore) lastComment = node.commentBefore;
    return { id: String(node.value), comment: lastComment };
  });
}

describeWithTool(
  'checkov scan of the synthesized stack',
  {
    envVar: 'CHECKOV_BIN',
    name: 'checkov',
    install: 'pip install checkov; .ci/services/checkov.sh does this',
  },
  (binary) => {
    const stackDir = synthesize(testConfig(), {
      outdir: mkdtempSync(join(tmpdir(), 'wine-checkov-')),
    });
    const file = join(stackDir, 'cdk.tf.json');
    // Both scans at once: each is a few seconds of Python start-up and parsing.
    let configured: CheckovReport;
    let unskipped: CheckovReport;
    beforeAll(async () => {
      [configured, unskipped] = await Promise.all([
        runCheckov(binary, ['--config-file', CONFIG_FILE, '-f', file]),
        runCheckov(binary, [
          '--framework',
          'terraform_json',
          '--skip-download',
          '--compact',
          '-f',
          file,
        ]),
      ]);
    }, 180_000);

    it('finds zero failed checks with the repository skip list', () => {
      const report = configured;
      expect(report.results.failed_checks).toEqual([]);
      expect(report.summary.parsing_errors).toBe(0);
      // A scan that parsed nothing would also have zero failures.
      const passed = new Set(report.results.passed_checks.map((c) => c.check_id));
      for (const id of [
        'CKV_AZURE_10',
        'CKV_AZURE_1',
        'CKV_AZURE_44',
        'CKV_AZURE_110',
        'CKV_AZURE_50',
      ]) {
        expect(passed).toContain(id);
      }
    });

    it('skips only checks that fail without the skip, each with a written reason', () => {
      const skips = skipList();
      for (const skip of skips) expect(skip.comment.length).toBeGreaterThan(20);
      const failing = new Set(unskipped.results.failed_checks.map((c) => c.check_id));
      expect([...failing].sort()).toEqual(skips.map((s) => s.id).sort());
    });

    it('reads a skip list whose config is a map', () => {
      expect(isMap(parseDocument(readFileSync(CONFIG_FILE, 'utf8')).contents)).toBe(true);
    });
  },
);
