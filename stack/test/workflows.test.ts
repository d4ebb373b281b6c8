/**
 * The GitHub workflows: actionlint finds nothing (syntax, expressions, action inputs, shell
 * quoting), and the release workflow keeps its promises — images pushed with provenance and
 * SBOM attestations, the tarball and sha256 attached, plan before an approved deploy, Azure
 * sign-in by OpenID Connect with no client secret, a smoke test of the public API. ~1 s.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ACTIONLINT, REPO, describeWithTool, repoFiles } from './tools';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix: { include: { name: string; file: string }[] } };
}

const WORKFLOWS = repoFiles('.github/workflows/*.yml');
const release = parseYaml(readFileSync(path.join(REPO, '.github/workflows/release.yml'), 'utf8'), {
  merge: true,
}) as {
  on: { push: { tags: string[] } };
  jobs: Record<string, Job>;
};
const text = readFileSync(path.join(REPO, '.github/workflows/release.yml'), 'utf8');
const step = (job: string, uses: string) =>
  release.jobs[job]?.steps.find((s) => s.uses?.startsWith(uses));

describe('the release workflow', () => {
  it('runs on version tags: images → release → plan → deploy (approved) → smoke', () => {
    expect(release.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    expect(Object.keys(release.jobs)).toEqual(['images', 'release', 'plan', 'deploy', 'smoke']);
    expect(release.jobs['deploy']?.needs).toEqual(['release', 'plan']);
    expect(release.jobs['deploy']?.environment).toBe('production');
    expect(release.jobs['smoke']?.needs).toBe('deploy');
  });

  it('builds every Dockerfile of the repository with provenance and SBOM, and pushes it', () => {
    const built = release.jobs['images']?.strategy?.matrix.include.map((i) => i.file).sort();
    expect(built).toEqual(repoFiles('**/Dockerfile'));
    expect(step('images', 'docker/build-push-action')?.with).toMatchObject({
      push: true,
      provenance: 'mode=max',
      sbom: true,
    });
    expect(step('images', 'actions/attest-build-provenance')).toBeDefined();
  });

  it('attaches the tarball and its sha256 to the GitHub release', () => {
    expect(text).toContain('pnpm run release -- --version');
    expect(text).toMatch(/gh release create[\s\S]*\.tar\.gz"[\s\S]*\.tar\.gz\.sha256"/);
  });

  it('signs in to Azure with OpenID Connect only: no client secret anywhere', () => {
    for (const job of ['plan', 'deploy']) {
      expect(release.jobs[job]?.permissions).toMatchObject({ 'id-token': 'write' });
      expect(Object.keys(step(job, 'azure/login')?.with ?? {}).sort()).toEqual([
        'client-id',
        'subscription-id',
        'tenant-id',
      ]);
    }
    expect(text).not.toMatch(/client-secret|ARM_CLIENT_SECRET|AZURE_CREDENTIALS/);
  });

  it('smoke-tests the public /ready and /predict', () => {
    const runs = release.jobs['smoke']?.steps.map((s) => s.run ?? '').join('\n') ?? '';
    expect(runs).toContain('$API/ready');
    expect(runs).toContain('$API/predict');
  });
});

describeWithTool('actionlint on every workflow', ACTIONLINT, (actionlint) => {
  it.each(WORKFLOWS)('%s has no finding', (file) => {
    expect(execFileSync(actionlint, ['-no-color', file], { cwd: REPO, encoding: 'utf8' })).toBe('');
  });
});
