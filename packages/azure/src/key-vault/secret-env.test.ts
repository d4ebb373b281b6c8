import { SECRET_OF_ENV, STACK_SECRETS } from '@wine/stack-contract';
import { applySecret, isUrlSecret, secretNeeds } from './secret-env';

describe('the variables a process takes from Key Vault', () => {
  it('are named after the secrets infrastructure/ writes into the vault', () => {
    const written = new Set(STACK_SECRETS.map((s) => s.name));
    for (const secret of Object.values(SECRET_OF_ENV)) expect(written.has(secret)).toBe(true);
  });

  it('knows which are URLs around a secret (from the stack .env contract)', () => {
    expect(isUrlSecret('DATABASE_URL')).toBe(true);
    expect(isUrlSecret('REDIS_URL')).toBe(true);
    expect(isUrlSecret('ADMIN_TOKEN')).toBe(false);
    expect(isUrlSecret('MLFLOW_TRACKING_PASSWORD')).toBe(false);
  });

  it('asks only for what the environment does not set', () => {
    const reads = ['ADMIN_TOKEN', 'MLFLOW_TRACKING_PASSWORD', 'DATABASE_URL', 'REDIS_URL'] as const;
    expect(secretNeeds({}, reads)).toEqual([
      { env: 'ADMIN_TOKEN', secret: 'service-admin-token', form: 'value' },
    ]);
    expect(
      secretNeeds(
        {
          ADMIN_TOKEN: 'explicit',
          MLFLOW_TRACKING_USERNAME: 'admin',
          DATABASE_URL: 'postgresql://wine@db:5432/wine',
          REDIS_URL: 'redis://redis:6379',
        },
        reads,
      ),
    ).toEqual([
      { env: 'MLFLOW_TRACKING_PASSWORD', secret: 'mlflow-basic-auth-password', form: 'value' },
      { env: 'DATABASE_URL', secret: 'database-password', form: 'url-password' },
    ]);
    expect(
      secretNeeds(
        {
          ADMIN_TOKEN: '  ',
          MLFLOW_TRACKING_USERNAME: 'admin',
          MLFLOW_TRACKING_PASSWORD: 'explicit',
          DATABASE_URL: 'postgresql://wine:explicit@db:5432/wine',
          REDIS_URL: 'rediss://default@cache:10000',
        },
        reads,
      ).map((n) => n.env),
    ).toEqual(['ADMIN_TOKEN', 'REDIS_URL']);
  });

  it('puts a URL secret in as the URL-encoded password', () => {
    const need = {
      env: 'DATABASE_URL',
      secret: 'database-password',
      form: 'url-password',
    } as const;
    expect(
      applySecret(need, 'postgresql://wine@db:5432/wine?sslmode=verify-full', 'p@ss/w:rd'),
    ).toBe('postgresql://wine:p%40ss%2Fw%3Ard@db:5432/wine?sslmode=verify-full');
  });
});
