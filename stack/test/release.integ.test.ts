/**
 * `pnpm run release`'s tarball as the machines get it: reproducible (same inputs, same
 * sha256), unpacking to a directory where docker compose validates the compose file for each
 * machine's .env and every file it mounts or a machine requires exists; images pinned by
 * version and, when given, digest; and the VM's own bootstrap script (infrastructure's
 * wine-fetch-release, run with bash/curl/tar against a loopback HTTPS server with a throw-away
 * certificate) installs it and refuses it under a wrong sha256. ~5 s.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RELEASE_EXTRA_FILES } from '@wine/stack-contract';
import { FETCH_RELEASE_SCRIPT } from '../../infrastructure/src/cloud-init/bootstrap-scripts';
import { mountedFiles, buildRelease, type Release } from '../src/release';
import { MACHINES, machineEnvFile, toEnvFile } from './compose-env';
import { DOCKER_COMPOSE, REPO, describeWithTool } from './tools';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('pnpm run release', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'stack-release-'));
  let release: Release;
  const unpacked = path.join(out, 'unpacked');

  beforeAll(async () => {
    release = await buildRelease({
      root: REPO,
      version: '9.8.7',
      registry: 'ghcr.io/acme',
      digests: { 'ghcr.io/acme/wine-prediction-service': DIGEST, postgres: DIGEST },
      outDir: path.join(out, 'a'),
      revision: 'test',
    });
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', release.tarball, '-C', unpacked]);
  });
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('is reproducible and comes with its sha256 file', async () => {
    const again = await buildRelease({
      root: REPO,
      version: '9.8.7',
      registry: 'ghcr.io/acme',
      digests: { 'ghcr.io/acme/wine-prediction-service': DIGEST, postgres: DIGEST },
      outDir: path.join(out, 'b'),
      revision: 'test',
    });
    expect(again.sha256).toBe(release.sha256);
    expect(readFileSync(release.sha256File, 'utf8')).toBe(
      `${release.sha256}  wine-stack-9.8.7.tar.gz\n`,
    );
    expect(
      spawnSync('sha256sum', ['-c', path.basename(release.sha256File)], {
        cwd: path.dirname(release.tarball),
      }).status,
    ).toBe(0);
  });

  it('holds the compose file, every file it mounts, the machines’ required files, .env.sample', () => {
    const compose = readFileSync(path.join(unpacked, 'docker-compose.yml'), 'utf8');
    for (const file of [
      ...mountedFiles(compose),
      ...Object.values(RELEASE_EXTRA_FILES).flat(),
      '.env.sample',
      'RELEASE.json',
      'grafana/dashboards/wine-service.json',
      'prometheus/rules/model-alerts.yml',
    ]) {
      expect([file, existsSync(path.join(unpacked, file))]).toEqual([file, true]);
    }
    expect(existsSync(path.join(unpacked, '.env'))).toBe(false);
  });

  it('pins every image and builds nothing on the machine', () => {
    const compose = readFileSync(path.join(unpacked, 'docker-compose.yml'), 'utf8');
    expect(compose).not.toMatch(/^\s+build:/m);
    expect(compose).not.toContain('WINE_IMAGE_REGISTRY');
    expect(release.images['prediction-service']).toBe(
      `ghcr.io/acme/wine-prediction-service:9.8.7@${DIGEST}`,
    );
    expect(release.images['pipeline-worker']).toBe('ghcr.io/acme/wine-pipeline:9.8.7');
    expect(release.images['postgres']).toBe(`postgres:17.11-trixie@${DIGEST}`);
    expect(JSON.parse(readFileSync(path.join(unpacked, 'RELEASE.json'), 'utf8'))).toMatchObject({
      version: '9.8.7',
      revision: 'test',
    });
  });

  describe('installed by the VM bootstrap (infrastructure wine-fetch-release)', () => {
    let server: Server;
    let base = '';
    let certFile = '';
    const dir = path.join(out, 'vm');

    beforeAll(async () => {
      mkdirSync(dir, { recursive: true });
      const key = path.join(dir, 'key.pem');
      certFile = path.join(dir, 'cert.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          certFile,
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const tarball = readFileSync(release.tarball);
      server = createServer(
        { key: readFileSync(key), cert: readFileSync(certFile) },
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/gzip' });
          res.end(tarball);
        },
      );
      await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
      base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((closed) => server.close(closed));
    });

    async function fetchRelease(
      sha256: string,
    ): Promise<{ code: number; stderr: string; root: string }> {
      const vm = mkdtempSync(path.join(dir, 'machine-'));
      const etc = path.join(vm, 'etc');
      mkdirSync(etc);
      writeFileSync(
        path.join(etc, 'bootstrap.env'),
        [
          `STACK_ROOT=${path.join(vm, 'opt')}`,
          'KEY_VAULT_URL=https://kv.example/',
          'RELEASE_VERSION=9.8.7',
          `RELEASE_URL=${base}/wine-stack-9.8.7.tar.gz`,
          `RELEASE_SHA256=${sha256}`,
          'COMPOSE_FILE=docker-compose.yml',
          `RELEASE_REQUIRED_FILES=${RELEASE_EXTRA_FILES['all-in-one'].join(' ')}`,
          '',
        ].join('\n'),
      );
      return new Promise((done) => {
        execFile(
          'bash',
          ['-c', FETCH_RELEASE_SCRIPT],
          {
            env: {
              PATH: process.env['PATH'] ?? '/usr/bin:/bin',
              HOME: vm,
              WINE_ETC: etc,
              CURL_CA_BUNDLE: certFile,
              RELEASE_DOWNLOAD_RETRIES: '0',
            },
            timeout: 60_000,
          },
          (error, _stdout, stderr) => {
            done({
              code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
              stderr,
              root: path.join(vm, 'opt'),
            });
          },
        );
      });
    }

    it('installs it under its sha256', async () => {
      const result = await fetchRelease(release.sha256);
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(existsSync(path.join(result.root, 'current', 'docker-compose.yml'))).toBe(true);
      expect(existsSync(path.join(result.root, 'current', 'caddy', 'Caddyfile'))).toBe(true);
    });

    it('refuses it under any other sha256 and installs nothing', async () => {
      const result = await fetchRelease(
        `${release.sha256.slice(0, 63)}${release.sha256.endsWith('0') ? '1' : '0'}`,
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('does not match RELEASE_SHA256');
      expect(existsSync(path.join(result.root, 'current'))).toBe(false);
    });
  });

  describeWithTool('docker compose config in the unpacked release', DOCKER_COMPOSE, (compose) => {
    it.each(MACHINES)('validates with the %s machine’s .env', (role, endpoints) => {
      writeFileSync(
        path.join(unpacked, '.env'),
        toEnvFile({ ...machineEnvFile(role, endpoints), WINE_RELEASE_VERSION: '9.8.7' }),
      );
      const services = execFileSync(compose, ['config', '--services'], {
        cwd: unpacked,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: out },
        encoding: 'utf8',
      });
      expect(services.trim().length).toBeGreaterThan(0);
      execFileSync(compose, ['config', '-q'], {
        cwd: unpacked,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: out },
      });
    });
  });
});
