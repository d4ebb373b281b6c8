import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RETRAIN_ALERTS, ENV_DOCS, loadConfig } from './config';

describe('pipeline config', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      databaseUrl: undefined,
      queuePrefix: 'wine',
      cron: undefined,
      cooldownMs: 3_600_000,
      webhookToken: undefined,
      retrainAlerts: DEFAULT_RETRAIN_ALERTS,
      api: { host: '127.0.0.1', port: 9699 },
      worker: { attempts: 3, backoffMs: 10_000, lockDurationMs: 60_000, maxStalledCount: 1 },
    });
    expect(config.searchThreads).toBeGreaterThanOrEqual(2);
  });

  it('reads a schedule, "off" and the alert list', () => {
    expect(loadConfig({ PIPELINE_CRON: '0 3 * * *' }).cron).toEqual({
      pattern: '0 3 * * *',
      tz: 'UTC',
    });
    expect(loadConfig({ PIPELINE_CRON: 'off' }).cron).toBeNull();
    expect(loadConfig({ PIPELINE_RETRAIN_ALERTS: 'A, B,' }).retrainAlerts).toEqual(['A', 'B']);
  });

  it('names the variable to fix', () => {
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL="localhost:6379"/);
    expect(() => loadConfig({ PIPELINE_COOLDOWN_MIN: 'soon' })).toThrow(/PIPELINE_COOLDOWN_MIN/);
    expect(() => loadConfig({ PIPELINE_QUEUE_PREFIX: 'a:b' })).toThrow(/PIPELINE_QUEUE_PREFIX/);
  });

  it('documents every variable it reads in .env.sample', () => {
    const sample = readFileSync(path.resolve(__dirname, '..', '..', '.env.sample'), 'utf8');
    for (const name of Object.keys(ENV_DOCS))
      expect(sample).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
