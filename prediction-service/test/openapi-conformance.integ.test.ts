/**
 * Both ports' /openapi.json describe what the service does: schemathesis (PyPI; .ci/services/
 * schemathesis.sh) runs every check against the built service — bodies the schemas allow must
 * be answered 2xx, bodies they forbid refused, every answer must match its documented status,
 * content type and schema, auth must be enforced, unknown methods answered 405 with Allow.
 * /feedback and /model/reload are enabled (a prediction log on a temporary PostgreSQL
 * database, both tokens set) so they are exercised too; MAX_BATCH_ROWS=100 keeps generated
 * batches under the body limit. A fixed seed keeps CI deterministic; about 30–60 s.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMigrations } from '@wine/db';
import { describeWithTool } from '../../infrastructure/src/testing/real-tool';
import { createTempDatabase, describeWithPostgres } from '../../packages/db/test/postgres';
import type { TempDatabase } from '../../packages/db/test/postgres';
import { SERVICE_MAIN, startService } from './service-process';
import type { ServiceProcess } from './service-process';

const CONFIG = path.join(__dirname, 'schemathesis.toml');
const TOKENS = { ADMIN_TOKEN: 'conformance-admin', FEEDBACK_TOKEN: 'conformance-feedback' };
const SEED = '20261130';

function schemathesis(
  binary: string,
  url: string,
  workDir: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      binary,
      [
        '--config-file',
        CONFIG,
        'run',
        url,
        '--checks',
        'all',
        '--max-examples',
        '60',
        '--seed',
        SEED,
        '--generation-database',
        'none',
        '--workers',
        '2',
        '--no-color',
        '--output-truncate',
        'true',
        '--report-dir',
        workDir,
      ],
      { cwd: workDir, env: { ...process.env, ...TOKENS }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });
}

const built = existsSync(SERVICE_MAIN);
const required = process.env['REQUIRE_REAL_SERVICES'] === '1';
if (!built) {
  const why = `${SERVICE_MAIN} is missing: run \`pnpm build\` first`;
  if (required) {
    test('built service is present (REQUIRE_REAL_SERVICES=1)', () => {
      throw new Error(why);
    });
  } else {
    console.warn(`SKIPPING schemathesis conformance tests: ${why}`);
  }
}

(built ? describeWithTool : () => undefined)(
  'schemathesis against /openapi.json',
  {
    envVar: 'SCHEMATHESIS_BIN',
    name: 'st',
    install: 'pip install schemathesis, as .ci/services/schemathesis.sh does',
  },
  (binary) => {
    describeWithPostgres('the built service, every endpoint enabled', () => {
      let db: TempDatabase | undefined;
      let service: ServiceProcess | undefined;
      let workDir: string | undefined;
      beforeAll(async () => {
        workDir = mkdtempSync(path.join(os.tmpdir(), 'wine-schemathesis-'));
        db = await createTempDatabase('openapi');
        await runMigrations({ databaseUrl: db.url, direction: 'up' });
        service = await startService({
          ...TOKENS,
          DATABASE_URL: db.url,
          MAX_BATCH_ROWS: '100',
        });
      }, 60_000);
      afterAll(async () => {
        await service?.stop();
        await db?.drop();
        if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
      });

      it.each([
        ['public port', (s: ServiceProcess) => s.url],
        ['management port', (s: ServiceProcess) => s.managementUrl],
      ])(
        'the %s passes every check',
        async (_port, base) => {
          if (service === undefined || workDir === undefined) throw new Error('no service');
          const run = await schemathesis(binary, `${base(service)}/openapi.json`, workDir);
          // On failure, schemathesis's own report (failures with curl reproductions) is the message.
          if (run.code !== 0)
            throw new Error(`schemathesis exited ${String(run.code)}:\n${run.output}`);
          expect(run.output).toMatch(/\b0 failures|No issues found|[1-9]\d* passed/);
        },
        180_000,
      );
    });
  },
);
