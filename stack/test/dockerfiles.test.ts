/**
 * Every Dockerfile of the repository: hadolint finds nothing (not even "info"), and each image
 * keeps the rules of the stack — multi-stage, a pinned runtime base, a numeric non-root USER,
 * a HEALTHCHECK, the OCI labels, only production dependencies (pnpm deploy --prod), a CMD
 * whose file the build produces — and no secret can enter the build context (.dockerignore).
 * ~2 s (hadolint is one static binary).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDockerfile } from '../src/dockerfile';
import { HADOLINT, REPO, describeWithTool, findTool, repoFiles } from './tools';

const DOCKERFILES = repoFiles('Dockerfile', '**/Dockerfile');
/** The Node deployables and the workspace package each image deploys. */
const NODE_IMAGES: Record<string, string> = {
  'prediction-service/Dockerfile': '@wine/prediction-service',
  'model-monitor/Dockerfile': '@wine/model-monitor',
  'pipeline/Dockerfile': '@wine/pipeline',
  'stream-scorer/Dockerfile': '@wine/stream-scorer',
};
const OUR_IMAGES = [...Object.keys(NODE_IMAGES), 'mlflow/Dockerfile'];
const OCI_LABELS = ['title', 'description', 'licenses', 'version', 'revision'].map(
  (l) => `org.opencontainers.image.${l}`,
);

const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');

describe('the Dockerfiles', () => {
  it('are the deployables of the stack (a new one needs its rules here)', () => {
    expect(DOCKERFILES).toEqual([...OUR_IMAGES, 'caddy/Dockerfile'].sort());
  });

  describe.each(OUR_IMAGES)('%s', (file) => {
    const info = parseDockerfile(read(file));
    const final = info.final;

    it('builds in stages and runs on a pinned slim base', () => {
      expect(info.stages.length).toBeGreaterThanOrEqual(2);
      expect(final.from).toMatch(/^(node|python):\d+\.\d+\.\d+-(trixie-)?slim(-trixie)?$/);
      expect(info.stages.map((s) => s.from)).toEqual(info.stages.map(() => final.from));
    });

    it('runs as a numeric non-root user', () => {
      expect(final.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    });

    it('has a HEALTHCHECK in exec form, the OCI labels and its ports', () => {
      expect(final.healthcheck?.test?.length).toBeGreaterThan(1);
      expect(final.healthcheck?.options).toMatchObject({ interval: expect.any(String) });
      expect(Object.keys(final.labels)).toEqual(expect.arrayContaining(OCI_LABELS));
      expect(final.expose.length).toBeGreaterThan(0);
    });
  });

  describe.each(Object.entries(NODE_IMAGES))('%s', (file, pkg) => {
    const info = parseDockerfile(read(file));
    const dir = path.dirname(file);

    it(`ships only ${pkg}'s production dependencies, built from the lockfile`, () => {
      const build = info.stages[0]?.instructions.map((i) => i.args).join('\n') ?? '';
      expect(build).toContain('pnpm install --frozen-lockfile');
      expect(build).toContain(`pnpm exec tsc -b ${dir}/tsconfig.build.json`);
      expect(build).toContain(`pnpm --filter ${pkg} deploy --prod --legacy --offline /out`);
      expect(info.final.instructions.filter((i) => i.keyword === 'COPY')).toEqual([
        { keyword: 'COPY', args: '--from=build /out ./' },
      ]);
      expect(info.final.workdir).toBe('/app');
      expect(info.final.env['NODE_ENV']).toBe('production');
    });

    it('starts a file the build produces (its dist/ after pnpm build)', () => {
      const [program, script] = info.final.cmd ?? [];
      expect(program).toBe('node');
      expect(
        existsSync(
          path.join(
            REPO,
            dir,
            'src',
            (script ?? '').replace(/^dist\//, '').replace(/\.js$/, '.ts'),
          ),
        ),
      ).toBe(true);
    });
  });

  it('send no secret, local build or dependency into the build context', () => {
    const ignore = read('.dockerignore').split('\n');
    for (const pattern of [
      '.git',
      '**/.env',
      '**/.env.*',
      '**/node_modules',
      '**/dist',
      'infrastructure/config.json',
      '**/*.tfstate',
    ]) {
      expect(ignore).toContain(pattern);
    }
  });

  it('pin the MLflow image to the versions the tests run against', () => {
    const pins = Object.fromEntries(
      read('mlflow/requirements.txt')
        .split('\n')
        .filter((l) => /^[a-z]/i.test(l))
        .map((l) => l.split('=='))
        .map(([name, version]) => [(name ?? '').replace(/\[.*\]$/, ''), version]),
    );
    expect(Object.keys(pins).sort()).toEqual([
      'azure-identity',
      'azure-storage-blob',
      'mlflow',
      'psycopg2-binary',
    ]);
    const ci = read('.ci/services/mlflow.sh');
    expect(ci).toContain(`MLFLOW_VERSION=${pins['mlflow']}`);
    const python = findTool('MLFLOW_BIN', 'mlflow');
    if (python !== undefined) {
      // The CI venv resolves the same extras: every pin must be what it installed.
      const installed = execFileSync(
        path.join(path.dirname(python), 'python'),
        [
          '-c',
          'import sys, importlib.metadata as m; print(" ".join(m.version(p) for p in sys.argv[1:]))',
          ...Object.keys(pins),
        ],
        { encoding: 'utf8' },
      )
        .trim()
        .split(' ');
      expect(installed).toEqual(Object.values(pins));
    }
  });
});

describeWithTool('hadolint on every Dockerfile', HADOLINT, (hadolint) => {
  it.each(DOCKERFILES)('%s has no finding', (file) => {
    const out = execFileSync(hadolint, ['--no-color', '--failure-threshold', 'info', file], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(out).toBe('');
  });
});
