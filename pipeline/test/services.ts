/**
 * Real services for the pipeline's tests: a fresh PostgreSQL database with the platform's
 * migrations, the machine's Redis under a unique key prefix (never flushed), MLflow from the
 * shared helper, and a small synthetic data folder in the UCI layout.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runMigrations } from '@wine/db';
import { ADMIN_URL, createTempDatabase } from '../../packages/db/test/postgres';
import { syntheticCsv } from '../../training-scripts/test/synthetic-wine';

export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export function missingPostgresAndRedis(): string[] {
  const missing: string[] = [];
  try {
    const url = new URL(ADMIN_URL);
    execFileSync('pg_isready', ['-q', '-h', url.hostname, '-p', url.port || '5432'], {
      timeout: 5000,
    });
  } catch {
    missing.push(`PostgreSQL not reachable at ${ADMIN_URL}`);
  }
  try {
    const url = new URL(REDIS_URL);
    const out = execFileSync('redis-cli', ['-h', url.hostname, '-p', url.port || '6379', 'ping'], {
      timeout: 5000,
      encoding: 'utf8',
    });
    if (!out.includes('PONG')) missing.push(`Redis at ${REDIS_URL} did not answer PING`);
  } catch {
    missing.push(`Redis not reachable at ${REDIS_URL} (redis-cli)`);
  }
  return missing;
}

export interface TempDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A new database with every platform migration applied (node-pg-migrate, as in production). */
export async function createMigratedDatabase(prefix: string): Promise<TempDatabase> {
  const db = await createTempDatabase(prefix);
  await runMigrations({ databaseUrl: db.url, direction: 'up' });
  return db;
}

/** A unique BullMQ key prefix: tests share the machine's Redis and never flush it. */
export const uniquePrefix = (name: string): string =>
  `wine-test-${name}-${randomBytes(4).toString('hex')}`;

/** winequality-red.csv / winequality-white.csv with learnable synthetic rows. */
export async function syntheticDataDir(rows = 300, seed = 1): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pipeline-data-'));
  await writeFile(path.join(dir, 'winequality-red.csv'), syntheticCsv(rows, seed));
  await writeFile(path.join(dir, 'winequality-white.csv'), syntheticCsv(rows, seed + 100));
  return dir;
}
