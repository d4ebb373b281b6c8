/**
 * Scans the synthesized Terraform JSON of both profiles (and scaled with Azure Cache for
 * Redis) with checkov (PyPI) using infrastructure/checkov.yaml: zero failed checks, and every
 * skip in that file must be justified and still fail, in exactly the profiles it names.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { synthesize } from './synth';
import { PROFILE_VARIANTS } from './testing/fixtures';
import { describeWithTool } from './testing/real-tool';

const CONFIG_FILE = resolve(__dirname, '..', 'checkov.yaml');

interface CheckovReport {
  summary: { passed: number; failed: number; parsing_errors: number };
  results: {
    passed_checks: { check_id: string; file_path: string }[];
    failed_checks: { check_id: string; resource: string; file_path: string }[];
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

/** Profiles a skip's comment says it is for: "Both profiles." or "scaled." first. */
function declaredProfiles(comment: string): string[] {
  const head = /^\s*(Both profiles|scaled|single-vm)\./.exec(comment)?.[1];
  if (head === undefined)
    throw new TypeError(`skip comment must start with its profile: ${comment}`);
  return head === 'Both profiles' ? ['scaled', 'single-vm'] : [head];
}

describeWithTool(
  'checkov scan of the synthesized stacks of both profiles',
  {
    envVar: 'CHECKOV_BIN',
    name: 'checkov',
    install: 'pip install checkov; .ci/services/checkov.sh does this',
  },
  (binary) => {
    const outdir = mkdtempSync(join(tmpdir(), 'wine-checkov-'));
    // One folder per variant: the profile each finding belongs to is in its file path.
    const files = PROFILE_VARIANTS.map(([label, config]) => {
      const folder = `variant-${label.replace(/\W+/g, '-')}`;
      const stackDir = synthesize(config(), { outdir: join(outdir, folder) });
      return { folder, profile: config().profile, file: join(stackDir, 'cdk.tf.json') };
    });
    // checkov reports paths relative to its working directory; the variant folder is in them.
    const profileOf = (path: string): string => {
      const match = files.find((f) => path.includes(`/${f.folder}/`));
      if (match === undefined) throw new TypeError(`finding in an unknown file: ${path}`);
      return match.profile;
    };
    const fileArgs = files.flatMap((f) => ['-f', f.file]);
    // Both scans at once: each is a few seconds of Python start-up and parsing.
    let configured: CheckovReport;
    let unskipped: CheckovReport;
    beforeAll(async () => {
      [configured, unskipped] = await Promise.all([
        runCheckov(binary, ['--config-file', CONFIG_FILE, ...fileArgs]),
        runCheckov(binary, [
          '--framework',
          'terraform_json',
          '--skip-download',
          '--compact',
          ...fileArgs,
        ]),
      ]);
    }, 180_000);

    it('finds zero failed checks with the repository skip list, in every stack', () => {
      expect(configured.results.failed_checks).toEqual([]);
      expect(configured.summary.parsing_errors).toBe(0);
      // A scan that parsed nothing would also have zero failures.
      for (const { profile } of files) {
        const passed = new Set(
          configured.results.passed_checks
            .filter((c) => profileOf(c.file_path) === profile)
            .map((c) => c.check_id),
        );
        for (const id of ['CKV_AZURE_10', 'CKV_AZURE_1', 'CKV_AZURE_44', 'CKV_AZURE_110']) {
          expect(passed).toContain(id);
        }
      }
      const scaledPassed = new Set(
        configured.results.passed_checks
          .filter((c) => profileOf(c.file_path) === 'scaled')
          .map((c) => c.check_id),
      );
      // App Gateway WAF and TLS policy; Azure Cache for Redis: TLS only, TLS 1.2, private.
      for (const id of [
        'CKV_AZURE_120',
        'CKV_AZURE_218',
        'CKV_AZURE_91',
        'CKV_AZURE_148',
        'CKV_AZURE_89',
      ]) {
        expect(scaledPassed).toContain(id);
      }
    });

    it('skips only checks that fail without the skip, in exactly the profiles each reason names', () => {
      const skips = skipList();
      for (const skip of skips) expect(skip.comment.length).toBeGreaterThan(20);
      const failingIn = new Map<string, Set<string>>();
      for (const check of unskipped.results.failed_checks) {
        const profiles = failingIn.get(check.check_id) ?? new Set<string>();
        profiles.add(profileOf(check.file_path));
        failingIn.set(check.check_id, profiles);
      }
      expect([...failingIn.keys()].sort()).toEqual(skips.map((s) => s.id).sort());
      for (const skip of skips) {
        expect({ id: skip.id, profiles: [...(failingIn.get(skip.id) ?? [])].sort() }).toEqual({
          id: skip.id,
          profiles: declaredProfiles(skip.comment),
        });
      }
    });

    it('reads a skip list whose config is a map', () => {
      expect(isMap(parseDocument(readFileSync(CONFIG_FILE, 'utf8')).contents)).toBe(true);
    });
  },
);
