import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, ENV_DOCS, loadConfig, openFileLimit, parseModelUri } from './config';

describe('loadConfig', () => {
  it('has documented defaults', () => {
    expect(loadConfig({}, 20_000)).toEqual({
      port: 9696,
      host: '0.0.0.0',
      managementPort: 9697,
      managementHost: '127.0.0.1',
      modelUri: { kind: 'bundled' },
      modelPollIntervalS: 0,
      mlflow: undefined,
      adminToken: undefined,
      logLevel: 'info',
      webConcurrency: 1,
      maxBodyBytes: 1048576,
      maxBatchRows: 10000,
      shutdownTimeoutS: 10,
      maxConnections: 10000,
      maxConnectionsPerAddress: 256,
      headersTimeoutS: 10,
      requestTimeoutS: 30,
      keepAliveTimeoutS: 5,
    });
  });

  it('keeps MAX_CONNECTIONS under the open-file limit, saying how to raise it', () => {
    expect(loadConfig({}, 4096).maxConnections).toBe(4096 - 512);
    expect(loadConfig({}, undefined).maxConnections).toBe(10_000);
    expect(loadConfig({ MAX_CONNECTIONS: '19488' }, 20_000).maxConnections).toBe(19_488);
    expect(() => loadConfig({ MAX_CONNECTIONS: '19489' }, 20_000)).toThrow(
      /MAX_CONNECTIONS=19489 does not fit under this process's open-file limit \(20000, .*at most 19488, or raise the limit \(ulimit -n/,
    );
    expect(() => loadConfig({}, 256)).toThrow(/open-file limit of this process is 256: too low/);
  });

  it('reads the open-file limit of this process', () => {
    const limit = openFileLimit();
    if (process.platform === 'linux') expect(limit).toBeGreaterThan(0);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      MANAGEMENT_PORT: '8081',
      MANAGEMENT_HOST: '0.0.0.0',
      MODEL_URI: 'file:/tmp/m',
      MODEL_POLL_INTERVAL_S: '30',
      ADMIN_TOKEN: 's3cret',
      LOG_LEVEL: 'warn',
      WEB_CONCURRENCY: '2',
      MAX_BODY_BYTES: '2048',
      MAX_BATCH_ROWS: '50',
      SHUTDOWN_TIMEOUT_S: '3',
      MAX_CONNECTIONS: '1000',
      MAX_CONNECTIONS_PER_ADDRESS: '0',
      HEADERS_TIMEOUT_S: '2',
      REQUEST_TIMEOUT_S: '4',
      KEEP_ALIVE_TIMEOUT_S: '3',
    });
    expect(c).toMatchObject({
      maxConnections: 1000,
      maxConnectionsPerAddress: 0,
      headersTimeoutS: 2,
      requestTimeoutS: 4,
      keepAliveTimeoutS: 3,
      port: 8080,
      managementPort: 8081,
      managementHost: '0.0.0.0',
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
    [{ PORT: '8000', MANAGEMENT_PORT: '8000' }, 'MANAGEMENT_PORT'],
    [{ HEADERS_TIMEOUT_S: '0' }, 'HEADERS_TIMEOUT_S'],
    [{ HEADERS_TIMEOUT_S: '20', REQUEST_TIMEOUT_S: '10' }, 'HEADERS_TIMEOUT_S'],
    [{ MAX_CONNECTIONS: '0' }, 'MAX_CONNECTIONS'],
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

  it.each([
    'models:/wine-quality@champion',
    'models:/wine-quality/3',
    'models:/wine-quality/latest',
    'models:/m-0123456789abcdef',
    'runs:/0123abcd/model',
  ])('selects the MLflow source for %s', (uri) => {
    expect(parseModelUri(uri)).toEqual({ kind: 'mlflow', uri });
  });

  it.each([
    ['models:/wine-quality/Production', /stages are deprecated.*models:\/wine-quality@champion/],
    ['models:/', /Invalid model URI/],
    ['models://host/x', /no host part/],
    ['runs:/', /run id/],
  ])('rejects %s with what to do', (uri, message) => {
    expect(() => parseModelUri(uri)).toThrow(ConfigError);
    expect(() => parseModelUri(uri)).toThrow(message);
  });

  it('rejects unknown schemes with what to do', () => {
    expect(() => parseModelUri('s3://bucket/model')).toThrow(/file:<model dir>/);
  });
});

describe('MLflow configuration', () => {
  const MLFLOW = { MLFLOW_TRACKING_URI: 'http://mlflow:5000' };

  it('needs MLFLOW_TRACKING_URI for a registry URI', () => {
    expect(() => loadConfig({ MODEL_URI: 'models:/wine-quality@champion' })).toThrow(
      /MODEL_URI=models:\/wine-quality@champion needs MLFLOW_TRACKING_URI/,
    );
  });

  it('polls every 30 s by default for MLflow URIs, and as configured otherwise', () => {
    const c = loadConfig({ ...MLFLOW, MODEL_URI: 'models:/wine-quality@champion' });
    expect(c.modelUri).toEqual({ kind: 'mlflow', uri: 'models:/wine-quality@champion' });
    expect(c.modelPollIntervalS).toBe(30);
    expect(c.mlflow).toMatchObject({
      trackingUri: 'http://mlflow:5000',
      timeoutMs: 5000,
      retries: 2,
    });
    expect(
      loadConfig({ ...MLFLOW, MODEL_URI: 'runs:/abc/model', MODEL_POLL_INTERVAL_S: '0' })
        .modelPollIntervalS,
    ).toBe(0);
    expect(loadConfig({ MODEL_URI: 'file:/m' }).modelPollIntervalS).toBe(0);
  });

  it('reads credentials, timeout and retries through the client', async () => {
    const c = loadConfig({
      ...MLFLOW,
      MODEL_URI: 'models:/wine-quality/3',
      MLFLOW_TRACKING_USERNAME: 'svc',
      MLFLOW_TRACKING_PASSWORD: 'pw',
      MLFLOW_HTTP_REQUEST_TIMEOUT: '2',
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
    });
    expect(c.mlflow).toMatchObject({ timeoutMs: 2000, retries: 0 });
    expect(await c.mlflow?.credentials()).toEqual({ username: 'svc', password: 'pw' });
    const bearer = loadConfig({ ...MLFLOW, MLFLOW_TRACKING_TOKEN: 't0k' });
    expect(await bearer.mlflow?.credentials()).toEqual({ token: 't0k' });
  });

  it.each([
    [{ ...MLFLOW, MLFLOW_TRACKING_USERNAME: 'only-user' }, /MLFLOW_TRACKING_PASSWORD/],
    [{ MLFLOW_TRACKING_URI: 'file:./mlruns' }, /use http\(s\):\/\/host:port/],
    [{ ...MLFLOW, MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon' }, /MLFLOW_HTTP_REQUEST_TIMEOUT/],
  ])('rejects a bad MLflow environment %p', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('.env.sample', () => {
  it('documents every variable the service reads', () => {
    const sample = readFileSync(path.resolve(__dirname, '..', '..', '.env.sample'), 'utf8');
    const documented = new Set([...sample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(Object.keys(ENV_DOCS).filter((name) => !documented.has(name))).toEqual([]);
  });
});
