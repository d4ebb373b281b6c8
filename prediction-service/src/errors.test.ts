import {
  ERROR_DOCS,
  HTTP_STATUS,
  SERVICE_ERROR_CODES,
  ServiceError,
  errorBody,
  toServiceError,
} from './errors';

describe('error code registry', () => {
  it('is append-only: the list is pinned', () => {
    expect(SERVICE_ERROR_CODES).toMatchSnapshot();
  });

  it.each(SERVICE_ERROR_CODES)('%s has an HTTP status and docs', (code) => {
    expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(ERROR_DOCS[code].length).toBeGreaterThan(10);
  });

  it('only INTERNAL is a 5xx besides the availability codes (model, model source, database)', () => {
    const fiveXX = SERVICE_ERROR_CODES.filter((c) => HTTP_STATUS[c] >= 500);
    expect(fiveXX).toEqual([
      'MODEL_NOT_READY',
      'INTERNAL',
      'MODEL_SOURCE_UNAVAILABLE',
      'FEEDBACK_UNAVAILABLE',
    ]);
  });

  it.each([
    [{ status: 416 }, 'INVALID_REQUEST'],
    [{ status: 418 }, 'INVALID_REQUEST'],
    [{ status: 503 }, 'INTERNAL'],
    [new TypeError('boom'), 'INTERNAL'],
  ])('translates %p into %s', (raw, code) => {
    expect(toServiceError(raw).code).toBe(code);
  });

  it('renders the contract body without internals', () => {
    const body = errorBody(
      new ServiceError('INTERNAL', 'Internal server error.', { cause: new Error('secret') }),
    );
    expect(body).toEqual({
      error: { code: 'INTERNAL', message: 'Internal server error.', details: [] },
    });
  });
});
