import request from 'supertest';
import { METRIC_NAMES } from '../src/metrics';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';

let t: TestApp;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  await writeTinyModel(tmp.dir);
  t = await buildTestApp(tmp.dir, { adminToken: 'test-admin-token' });
});
afterAll(async () => {
  await cleanup();
});

describe('POST /predict', () => {
  it('scores one record and returns quality, model and request id', async () => {
    const res = await request(t.app).post('/predict').send(GOOD).expect(200);
    expect(typeof res.body.quality).toBe('number');
    expect(res.body.quality).toBeGreaterThan(0);
    expect(res.body.quality).toBeLessThan(10);
    expect(res.body.model).toEqual({
      name: 'wine-quality',
      version: expect.stringMatching(/^sha256:[0-9a-f]{12}$/),
      source: expect.stringMatching(/^file:\//),
    });
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('scores a batch in order, matching single predictions', async () => {
    const other = { ...GOOD, alcohol: 13.5, volatile_acidity: 0.2, wine_type: 'white' };
    const batch = await request(t.app)
      .post('/predict')
      .send({ instances: [GOOD, other] })
      .expect(200);
    const a = await request(t.app).post('/predict').send(GOOD);
    const b = await request(t.app).post('/predict').send(other);
    expect(batch.body.predictions).toEqual([a.body.quality as number, b.body.quality as number]);
    expect(Object.keys(batch.body as object)).toEqual(['predictions', 'model']);
  });

  it('honours a sane inbound X-Request-Id and replaces an unsafe one', async () => {
    const ok = await request(t.app).post('/predict').set('X-Request-Id', 'abc-123').send(GOOD);
    expect(ok.headers['x-request-id']).toBe('abc-123');
    expect(ok.body.request_id).toBe('abc-123');
    const bad = await request(t.app)
      .post('/predict')
      .set('X-Request-Id', 'x'.repeat(300))
      .send(GOOD);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets helmet security headers', async () => {
    const res = await request(t.app).post('/predict').send(GOOD);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers JSON with the API header set and /docs with helmet defaults', async () => {
    for (const res of [
      await request(t.app).post('/predict').send(GOOD),
      await request(t.app).get('/health'),
      await request(t.app).get('/nope'),
    ]) {
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none';frame-ancestors 'none'",
      );
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      // Document-only headers stay off JSON answers.
      expect(res.headers['x-dns-prefetch-control']).toBeUndefined();
    }
    const docs = await request(t.app).get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(docs.headers['x-dns-prefetch-control']).toBe('off');
    const init = await request(t.app).get('/docs/init.js').expect(200);
    expect(init.headers['content-security-policy']).toContain("script-src 'self'");
  });
});

describe('operations', () => {
  it('GET /health', async () => {
    await request(t.app).get('/health').expect(200, { status: 'ok' });
  });

  it('GET /ready once a model is loaded', async () => {
    const res = await request(t.app).get('/ready').expect(200);
    expect(res.body.status).toBe('ready');
  });

  it('GET /model describes the served model and its origin', async () => {
    const res = await request(t.management).get('/model').expect(200);
    expect(res.body).toMatchObject({
      name: 'wine-quality',
      kind: 'tree',
      nTrees: 1,
      formatVersion: 1,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(res.body.features).toHaveLength(12);
    expect(res.body.configured_source).toMatch(/^file:/);
    expect(res.body.training_ranges.alcohol.min).toBeGreaterThanOrEqual(8.5);
  });

  it('GET /metrics exposes every service metric', async () => {
    await request(t.app).post('/predict').send(GOOD);
    const res = await request(t.management).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    for (const name of Object.values(METRIC_NAMES)) expect(res.text).toContain(`# TYPE ${name} `);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/predict",status="200"\} \d+/,
    );
    expect(res.text).toMatch(
      /wine_model_info\{name="wine-quality",version="sha256:[0-9a-f]{12}",source="file:[^"]+"\} 1/,
    );
  });

  it('counts out-of-training-range inputs per feature but still serves them', async () => {
    const before = await t.metrics.outOfRange.get();
    const count = (v: typeof before, f: string): number =>
      v.values.find((x) => x.labels['feature'] === f)?.value ?? 0;
    await request(t.app)
      .post('/predict')
      .send({ ...GOOD, alcohol: 40 })
      .expect(200);
    const after = await t.metrics.outOfRange.get();
    expect(count(after, 'alcohol') - count(before, 'alcohol')).toBe(1);
    expect(count(after, 'ph') - count(before, 'ph')).toBe(0);
  });

  it('GET /openapi.json is OpenAPI 3.1 generated from the request schemas', async () => {
    const res = await request(t.app).get('/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    // No prediction log here, so no /feedback: a disabled endpoint is not documented.
    expect(Object.keys(res.body.paths as object).sort()).toEqual([
      '/health',
      '/invocations',
      '/predict',
      '/ready',
    ]);
    const schemas = res.body.components.schemas;
    const record = schemas.WineRecord;
    expect(record.additionalProperties).toBe(false);
    expect(record.required).toHaveLength(12);
    expect(record.properties.ph).toMatchObject({ type: 'number', minimum: 0, maximum: 14 });
    expect(schemas.InvocationsRequest.anyOf).toHaveLength(4);
    // The batch limit (MAX_BATCH_ROWS) and non-empty batches are part of the contract.
    expect(schemas.PredictBatch.properties.instances).toMatchObject({
      minItems: 1,
      maxItems: 10_000,
    });
    const csv = res.body.paths['/invocations'].post.requestBody.content['text/csv'].schema;
    expect(csv.pattern).toMatch(/^\^fixed_acidity,volatile_acidity,/);
  });

  it('documents POST /model/reload only while ADMIN_TOKEN enables it', async () => {
    const tmp = await tempDir();
    await writeTinyModel(tmp.dir);
    const noAdmin = await buildTestApp(tmp.dir);
    const doc = await request(noAdmin.management).get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths as object)).not.toContain('/model/reload');
    expect(doc.body.components.securitySchemes).toBeUndefined();
    await tmp.cleanup();
  });

  it('the management port describes its own endpoints in /openapi.json', async () => {
    const res = await request(t.management).get('/openapi.json').expect(200);
    expect(Object.keys(res.body.paths as object).sort()).toEqual([
      '/health',
      '/metrics',
      '/model',
      '/model/reload',
      '/ready',
    ]);
  });

  it('GET /docs serves Swagger UI from local assets', async () => {
    const page = await request(t.app).get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    await request(t.app).get('/docs/assets/swagger-ui-bundle.js').expect(200);
    const init = await request(t.app).get('/docs/init.js').expect(200);
    expect(init.text).toContain('/openapi.json');
  });

  it('unknown routes are 404 and wrong methods 405, both as JSON errors', async () => {
    const nf = await request(t.app).get('/nope').expect(404);
    expect(nf.body.error.code).toBe('NOT_FOUND');
    const na = await request(t.app).get('/predict').expect(405);
    expect(na.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(na.headers['allow']).toBe('POST');
  });
});

describe('public and management ports', () => {
  it.each([
    ['GET', '/metrics'],
    ['GET', '/model'],
    ['POST', '/model/reload'],
  ])('the public port answers 404 NOT_FOUND for %s %s', async (method, path) => {
    const req = method === 'GET' ? request(t.app).get(path) : request(t.app).post(path);
    const res = await req.set('Authorization', 'Bearer test-admin-token').expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('the management port serves the operations endpoints and the probes, not the API', async () => {
    await request(t.management).get('/metrics').expect(200);
    await request(t.management).get('/model').expect(200);
    await request(t.management).get('/health').expect(200);
    await request(t.management).get('/ready').expect(200);
    const predict = await request(t.management).post('/predict').send(GOOD).expect(404);
    expect(predict.body.error.message).toMatch(/See \/openapi\.json/);
  });

  it('the public port keeps the API, the probes and the docs', async () => {
    await request(t.app).post('/predict').send(GOOD).expect(200);
    await request(t.app).get('/health').expect(200);
    await request(t.app).get('/ready').expect(200);
    await request(t.app).get('/docs').expect(200);
    await request(t.app).get('/openapi.json').expect(200);
  });
});

describe('POST /model/reload (admin)', () => {
  it.each([
    ['no token', 401, undefined],
    ['a wrong token', 401, 'Bearer wrong-token'],
    ['a malformed header', 401, 'Basic dGVzdA=='],
    ['the right token', 200, 'Bearer test-admin-token'],
  ])('with %s → %i', async (_label, status, header) => {
    const req = request(t.management).post('/model/reload');
    if (header !== undefined) req.set('Authorization', header);
    const res = await req.expect(status);
    if (status === 401) {
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    } else {
      expect(res.body.result).toBe('unchanged');
    }
  });

  it('is disabled (404) when no ADMIN_TOKEN is configured', async () => {
    const tmp = await tempDir();
    await writeTinyModel(tmp.dir);
    const noAdmin = await buildTestApp(tmp.dir);
    const res = await request(noAdmin.management)
      .post('/model/reload')
      .set('Authorization', 'Bearer anything')
      .expect(404);
    expect(res.body.error.code).toBe('ADMIN_DISABLED');
    await tmp.cleanup();
  });
});
