import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isAlreadyExists,
  isNotFound,
  MLFLOW_CLIENT_ERROR_CODES,
  MLFLOW_CLIENT_ERROR_DOCS,
  MlflowApiError,
  MlflowClientError,
} from './errors';

describe('error codes', () => {
  it('are append-only (update the snapshot only by adding codes at the end)', () => {
    expect(MLFLOW_CLIENT_ERROR_CODES).toMatchSnapshot();
  });

  it('each have a docs line and a row in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const code of MLFLOW_CLIENT_ERROR_CODES) {
      expect(MLFLOW_CLIENT_ERROR_DOCS[code].length).toBeGreaterThan(10);
      expect(readme).toContain(`\`${code}\``);
    }
  });

  it('classify server codes', () => {
    const error = (errorCode: string, status: number) =>
      new MlflowApiError({ errorCode, status, message: 'm', method: 'GET', url: 'http://x/y' });
    expect(isNotFound(error('RESOURCE_DOES_NOT_EXIST', 404))).toBe(true);
    expect(isNotFound(error('INVALID_PARAMETER_VALUE', 400))).toBe(false);
    expect(isAlreadyExists(error('RESOURCE_ALREADY_EXISTS', 400))).toBe(true);
    expect(isAlreadyExists(new MlflowClientError('MLFLOW_TIMEOUT', 'x'))).toBe(false);
    expect(error('X', 500)).toBeInstanceOf(MlflowClientError);
    expect(error('X', 500).code).toBe('MLFLOW_API_ERROR');
  });
});
