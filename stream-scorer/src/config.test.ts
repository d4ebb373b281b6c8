import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, STREAM_ENV_DOCS, loadStreamConfig } from './config';

describe('loadStreamConfig', () => {
  it('has working defaults: the bundled model, the contract stream names, port 9700', () => {
    const config = loadStreamConfig({});
    expect(config.streams).toMatchObject({
      input: 'wine:measurements',
      output: 'wine:predictions',
      deadLetter: 'wine:dead-letter',
      group: 'wine-scorers',
    });
    expect(config.streams.consumer).toMatch(/-\d+$/);
    expect(config.consumer).toEqual({
      batchSize: 500,
      blockMs: 1000,
      maxPending: 5000,
      claimIdleMs: 30_000,
      maxDeliveries: 5,
      maxRecordBytes: 16_384,
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      groupStart: '0',
      metricsPort: 9700,
      metricsHost: '127.0.0.1',
      modelUri: { kind: 'bundled' },
      modelPollIntervalS: 0,
      predictionLog: undefined,
      outputMaxLen: 0,
    });
  });

  it('reads every variable, and polls a registry model every 30 s unless told otherwise', () => {
    const config = loadStreamConfig({
      REDIS_URL: 'rediss://user:pw@redis.example:6380/2',
      STREAM_INPUT: '{wine}:in',
      STREAM_OUTPUT: '{wine}:out',
      STREAM_DEAD_LETTER: '{wine}:dead',
      STREAM_GROUP: 'g',
      STREAM_CONSUMER: 'scorer-1',
      STREAM_GROUP_START: '$',
      STREAM_BATCH_SIZE: '1000',
      STREAM_MAX_PENDING: '1000',
      STREAM_OUTPUT_MAXLEN: '1000000',
      MODEL_URI: 'models:/wine-quality@champion',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/wine',
      STREAM_METRICS_PORT: '0',
    });
    expect(config.streams).toEqual({
      input: '{wine}:in',
      output: '{wine}:out',
      deadLetter: '{wine}:dead',
      group: 'g',
      consumer: 'scorer-1',
    });
    expect(config).toMatchObject({
      groupStart: '$',
      outputMaxLen: 1_000_000,
      modelPollIntervalS: 30,
      metricsPort: 0,
      mlflow: { trackingUri: 'http://127.0.0.1:5000' },
      predictionLog: { databaseUrl: 'postgres://postgres@127.0.0.1:5432/wine', batchRows: 2000 },
    });
  });

  it('names the variable to fix, and never echoes a URL that may hold a password', () => {
    expect(() => loadStreamConfig({ STREAM_BATCH_SIZE: 'many' })).toThrow(
      /STREAM_BATCH_SIZE="many": must be a whole number/,
    );
    const error = (() => {
      try {
        loadStreamConfig({ REDIS_URL: 'http://user:secret@host' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/REDIS_URL: must be redis:\/\//);
    expect(error?.message).not.toMatch(/secret/);
  });

  it('refuses settings that cannot work', () => {
    expect(() => loadStreamConfig({ STREAM_OUTPUT: 'wine:measurements' })).toThrow(
      /three different streams/,
    );
    expect(() => loadStreamConfig({ STREAM_BATCH_SIZE: '600', STREAM_MAX_PENDING: '500' })).toThrow(
      /one batch must fit/,
    );
    expect(() => loadStreamConfig({ MODEL_URI: 'models:/wine-quality@champion' })).toThrow(
      /needs MLFLOW_TRACKING_URI/,
    );
    expect(() => loadStreamConfig({ STREAM_INPUT: 'has space' })).toThrow(/STREAM_INPUT/);
    expect(() => loadStreamConfig({ STREAM_GROUP_START: '5' })).toThrow(/STREAM_GROUP_START/);
  });

  it('.env.sample documents every variable the scorer reads', () => {
    const sample = readFileSync(path.resolve(__dirname, '..', '..', '.env.sample'), 'utf8');
    const documented = new Set([...sample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(Object.keys(STREAM_ENV_DOCS).filter((name) => !documented.has(name))).toEqual([]);
  });
});
