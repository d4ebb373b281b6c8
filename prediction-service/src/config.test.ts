import path from 'node:path';
import { ConfigError, loadConfig, parseModelUri } from './config';

describe('loadConfig', () => {
  it('has documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 9696,
      host: '0.0.0.0',
      modelUri: { kind: 'bundled' },
      modelPollIntervalS: 0,
      adminToken: undefined,
      logLevel: 'info',
      webConcurrency: 1,
      maxBodyBytes: 1048576,
      maxBatchRows: 10000,
      shutdownTimeoutS: 10,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      MODEL_URI: 'file:/tmp/m',
      MODEL_POLL_INTERVAL_S: '30',
      ADMIN_TOKEN: 's3cret',
      LOG_LEVEL: 'warn',
      WEB_CONCURRENCY: '2',
      MAX_BODY_BYTES: '2048',
      MAX_BATCH_ROWS: '50',
      SHUTDOWN_TIMEOUT_S: '3',
    });
    expect(c).toMatchObject({
      port: 8080,
      modelUri: { kind: 'file', dir: '/tmp/m' },
      adminToken: 's3cret',
      webConcurrency: 2,
    });
  });

  it('treats an empty ADMIN_TOKEN as unset (admin disabled)', () => {
    expect(loadConfig({ ADMIN_TOKEN: '' }).adminToken).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ WEB_CONCURRENCY: '0' }, 'WEB_CONCURRENCY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MAX_BATCH_ROWS: '-1' }, 'MAX_BATCH_ROWS'],
  ])('rejects %p naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}=`));
  });
});

describe('parseModelUri', () => {
  it('resolves file: paths against the working directory', () => {
    expect(parseModelUri('file:model', '/srv')).toEqual({
      kind: 'file',
      dir: path.resolve('/srv/model'),
    });
    expect(parseModelUri('file:///abs/dir')).toEqual({ kind: 'file', dir: '/abs/dir' });
  });

  it.each(['models:/wine-quality@champion', 'runs:/abc/model'])(
    'explains that %s needs MLflow tracking',
    (uri) => {
      expect(() => parseModelUri(uri)).toThrow(/MLflow tracking/);
    },
  );

  it('rejects unknown schemes with what to do', () => {
    expect(() => parseModelUri('s3://bucket/model')).toThrow(/file:<model dir>/);
  });
});
