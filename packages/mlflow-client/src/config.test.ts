import { authorizationHeader, credentialsFromEnv, mlflowOptionsFromEnv } from './config';

describe('credentialsFromEnv', () => {
  it('prefers basic credentials over a token, like the Python client', () => {
    expect(
      credentialsFromEnv({
        MLFLOW_TRACKING_USERNAME: 'u',
        MLFLOW_TRACKING_PASSWORD: 'p',
        MLFLOW_TRACKING_TOKEN: 't',
      }),
    ).toEqual({ username: 'u', password: 'p' });
    expect(credentialsFromEnv({ MLFLOW_TRACKING_TOKEN: 't' })).toEqual({ token: 't' });
    expect(credentialsFromEnv({ MLFLOW_TRACKING_TOKEN: '  ' })).toBeUndefined();
    expect(credentialsFromEnv({})).toBeUndefined();
  });

  it('refuses half a username/password pair, naming both variables', () => {
    expect(() => credentialsFromEnv({ MLFLOW_TRACKING_USERNAME: 'u' })).toThrow(
      /MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD/,
    );
  });

  it('builds Authorization headers', () => {
    expect(authorizationHeader({ username: 'admin', password: 'pä:ss' })).toBe(
      `Basic ${Buffer.from('admin:pä:ss').toString('base64')}`,
    );
    expect(authorizationHeader({ token: 'abc' })).toBe('Bearer abc');
    expect(authorizationHeader(undefined)).toBeUndefined();
  });
});

describe('mlflowOptionsFromEnv', () => {
  it('reads the tracking URI, timeout (seconds) and retries', async () => {
    const options = mlflowOptionsFromEnv({
      MLFLOW_TRACKING_URI: 'http://mlflow:5000',
      MLFLOW_HTTP_REQUEST_TIMEOUT: '30',
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
      MLFLOW_TRACKING_TOKEN: 'tok',
    });
    expect(options).toMatchObject({
      trackingUri: 'http://mlflow:5000',
      timeoutMs: 30_000,
      retries: 2,
    });
    expect(await options.credentials()).toEqual({ token: 'tok' });
  });

  it('leaves unset values to the client defaults', () => {
    const options = mlflowOptionsFromEnv({ MLFLOW_HTTP_REQUEST_TIMEOUT: '' });
    expect(options.trackingUri).toBeUndefined();
    expect('timeoutMs' in options).toBe(false);
  });

  it('names the variable that is wrong', () => {
    expect(() => mlflowOptionsFromEnv({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: 'many' })).toThrow(
      /MLFLOW_HTTP_REQUEST_MAX_RETRIES/,
    );
  });
});
