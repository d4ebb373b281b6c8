import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLED_MODEL_DIR } from '@wine/prediction-service';
import { ConfigError, MONITOR_ENV_DOCS, loadMonitorConfig } from './config';

const DB = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/wine' };

describe('loadMonitorConfig', () => {
  it('has documented defaults', () => {
    const c = loadMonitorConfig(DB, '/srv');
    expect(c).toMatchObject({
      port: 9698,
      host: '127.0.0.1',
      intervalS: 30,
      windowRows: 5000,
      windowMinutes: undefined,
      errorWindowRows: 1000,
      errorWindowMinutes: 1440,
      rmseThreshold: 0.9,
      mlflow: undefined,
      modelDirs: [BUNDLED_MODEL_DIR],
    });
    expect(c.drift).toMatchObject({ minRows: 200, driftShare: 0.5, numericalMethod: 'auto' });
  });

  it('reads windows, thresholds, model dirs and MLflow', () => {
    const c = loadMonitorConfig(
      {
        ...DB,
        MONITOR_WINDOW_MINUTES: '15',
        MONITOR_DRIFT_SHARE: '0.2',
        MONITOR_NUMERICAL_METHOD: 'ks',
        MONITOR_DRIFT_THRESHOLDS: 'wasserstein=0.15, ks=0.01',
        MONITOR_COLUMN_THRESHOLDS: 'alcohol=0.3',
        MONITOR_MODEL_DIRS: 'file:./model, /opt/models/v2',
        MLFLOW_TRACKING_URI: 'http://mlflow:5000',
      },
      '/srv',
    );
    expect(c.windowMinutes).toBe(15);
    expect(c.drift).toMatchObject({
      driftShare: 0.2,
      numericalMethod: 'ks',
      thresholds: { wasserstein: 0.15, ks: 0.01 },
      columns: { alcohol: { threshold: 0.3 } },
    });
    expect(c.modelDirs).toEqual(['/srv/model', '/opt/models/v2', BUNDLED_MODEL_DIR]);
    expect(c.mlflow?.trackingUri).toBe('http://mlflow:5000');
  });

  it.each([
    [{}, /DATABASE_URL: is required/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be postgres/],
    [{ ...DB, MONITOR_INTERVAL_S: '0' }, /MONITOR_INTERVAL_S/],
    [{ ...DB, MONITOR_NUMERICAL_METHOD: 'magic' }, /MONITOR_NUMERICAL_METHOD/],
    [{ ...DB, MONITOR_DRIFT_THRESHOLDS: 'magic=1' }, /unknown name "magic"/],
    [{ ...DB, MONITOR_DRIFT_THRESHOLDS: 'ks=1.5' }, /p-value/],
    [{ ...DB, MONITOR_DRIFT_THRESHOLDS: 'ks' }, /not name=positive number/],
  ])('rejects %p', (env, message) => {
    expect(() => loadMonitorConfig(env)).toThrow(ConfigError);
    expect(() => loadMonitorConfig(env)).toThrow(message);
  });

  it('never echoes DATABASE_URL (it may hold a password)', () => {
    expect(() => loadMonitorConfig({ DATABASE_URL: 'mysql://user:secret@x' })).toThrow(
      /^(?!.*secret)/s,
    );
  });

  it('.env.sample documents every variable the monitor reads', () => {
    const sample = readFileSync(path.resolve(__dirname, '..', '..', '.env.sample'), 'utf8');
    const documented = new Set([...sample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(Object.keys(MONITOR_ENV_DOCS).filter((name) => !documented.has(name))).toEqual([]);
  });
});
