import http from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';
import { postBytes } from './raw-client';

let t: TestApp;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  await writeTinyModel(tmp.dir);
  t = await buildTestApp(tmp.dir, { maxBodyBytes: 4096, maxBatchRows: 5 });
});
afterAll(async () => {
  await cleanup();
});

const missingAlcohol: Partial<typeof GOOD> = { ...GOOD };
delete missingAlcohol.alcohol;
const json = (value: unknown): string => JSON.stringify(value);
const rows = (n: number, bad?: { at: number; patch: Record<string, unknown> }): unknown[] =>
  Array.from({ length: n }, (_, i) => (bad?.at === i ? { ...GOOD, ...bad.patch } : GOOD));

interface Case {
  name: string;
  path?: string;
  contentType?: string | null;
  body: string;
  status: number;
  code: string;
  detailPath?: string;
}

const CASES: Case[] = [
  { name: 'malformed JSON', body: '{"fixed_acidity": 7.4,', status: 400, code: 'MALFORMED_JSON' },
  {
    name: 'a bare JSON string (not an object)',
    body: '"hello"',
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    name: 'text/plain content type',
    contentType: 'text/plain',
    body: json(GOOD),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'no content type',
    contentType: null,
    body: json(GOOD),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a non-UTF-8 charset',
    contentType: 'application/json; charset=latin1',
    body: json(GOOD),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'CSV on /predict',
    contentType: 'text/csv',
    body: 'a,b\n1,2',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a body over MAX_BODY_BYTES',
    body: json({ instances: rows(4), pad: 'x'.repeat(5000) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a batch over MAX_BATCH_ROWS',
    body: json({ instances: rows(6) }),
    status: 413,
    code: 'BATCH_TOO_LARGE',
    detailPath: 'instances',
  },
  {
    name: 'a missing feature',
    body: json(missingAlcohol),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'alcohol',
  },
  {
    name: 'a number sent as a string',
    body: json({ ...GOOD, ph: '3.5' }),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'ph',
  },
  {
    name: 'a null feature',
    body: json({ ...GOOD, sulphates: null }),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'sulphates',
  },
  {
    name: 'an infinite number (1e999)',
    body: json(GOOD).replace('"alcohol":9.4', '"alcohol":1e999'),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'alcohol',
  },
  {
    name: 'an unknown field',
    body: json({ ...GOOD, colour: 'red' }),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'colour',
  },
  {
    name: 'an unknown wine_type',
    body: json({ ...GOOD, wine_type: 'rose' }),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'wine_type',
  },
  {
    name: 'a JSON array instead of a record',
    body: json([GOOD]),
    status: 422,
    code: 'INVALID_INPUT',
  },
  {
    name: 'a negative concentration',
    body: json({ ...GOOD, chlorides: -0.1 }),
    status: 422,
    code: 'IMPOSSIBLE_VALUE',
    detailPath: 'chlorides',
  },
  {
    name: 'pH above 14',
    body: json({ ...GOOD, ph: 15 }),
    status: 422,
    code: 'IMPOSSIBLE_VALUE',
    detailPath: 'ph',
  },
  {
    name: 'density above 1.1',
    body: json({ ...GOOD, density: 1.2 }),
    status: 422,
    code: 'IMPOSSIBLE_VALUE',
    detailPath: 'density',
  },
  {
    name: 'density below 0.9',
    body: json({ ...GOOD, density: 0.5 }),
    status: 422,
    code: 'IMPOSSIBLE_VALUE',
    detailPath: 'density',
  },
  {
    name: 'alcohol above 100',
    body: json({ ...GOOD, alcohol: 101 }),
    status: 422,
    code: 'IMPOSSIBLE_VALUE',
    detailPath: 'alcohol',
  },
  {
    name: 'an impossible value in batch row 3',
    body: json({ instances: rows(5, { at: 3, patch: { ph: -1 } }) }),
    status: 422,
    code: 'IMPOSSIBLE_VALUE',
    detailPath: 'instances[3].ph',
  },
  {
    name: 'a missing field in batch row 2',
    body: json({ instances: rows(4, { at: 2, patch: { wine_type: undefined } }) }),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'instances[2].wine_type',
  },
  { name: 'an empty batch', body: json({ instances: [] }), status: 400, code: 'INVALID_REQUEST' },
  {
    name: 'instances that is not an array',
    body: json({ instances: GOOD }),
    status: 400,
    code: 'INVALID_REQUEST',
  },
  {
    name: 'a batch with an extra field',
    body: json({ instances: rows(1), model: 'x' }),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'model',
  },
  {
    name: 'MLflow: no input format',
    path: '/invocations',
    body: json({ data: [] }),
    status: 400,
    code: 'INVALID_REQUEST',
  },
  {
    name: 'MLflow: two input formats',
    path: '/invocations',
    body: json({ instances: rows(1), inputs: rows(1) }),
    status: 400,
    code: 'INVALID_REQUEST',
  },
  {
    name: 'MLflow: non-empty params',
    path: '/invocations',
    body: json({ instances: rows(1), params: { k: 1 } }),
    status: 400,
    code: 'INVALID_REQUEST',
  },
  {
    name: 'MLflow: split row of wrong length',
    path: '/invocations',
    body: json({ dataframe_split: { columns: ['ph'], data: [[1, 2]] } }),
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'dataframe_split.data[0]',
  },
  {
    name: 'MLflow: split with an impossible value',
    path: '/invocations',
    body: json({
      dataframe_split: {
        columns: Object.keys(GOOD),
        data: [Object.values(GOOD), Object.values({ ...GOOD, ph: 20 })],
      },
    }),
    status: 422,
    code: 'IMPOSSIBLE_VALUE',
    detailPath: 'dataframe_split.data[1].ph',
  },
  {
    name: 'MLflow: CSV with a missing cell',
    path: '/invocations',
    contentType: 'text/csv',
    body: `${Object.keys(GOOD).join(',')}\n${Object.values({ ...GOOD, ph: '' }).join(',')}`,
    status: 422,
    code: 'INVALID_INPUT',
    detailPath: 'csv[0].ph',
  },
  {
    name: 'MLflow: XML',
    path: '/invocations',
    contentType: 'application/xml',
    body: '<a/>',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
];

describe('bad input never yields a 5xx', () => {
  it.each(CASES)('$name → $status $code', async (c) => {
    const req = request(t.app).post(c.path ?? '/predict');
    if (c.contentType !== null) req.set('Content-Type', c.contentType ?? 'application/json');
    const res = await req.send(c.body);
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({
      status: c.status,
      code: c.code,
    });
    expect(typeof res.body.error.message).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/at .+\.(ts|js):\d+/); // no stack traces
    if (c.detailPath !== undefined) {
      const details = res.body.error.details as Array<{ path: string }>;
      expect(details.map((d) => d.path)).toContain(c.detailPath);
    }
  });

  it('names the field and row in the message', async () => {
    const res = await request(t.app)
      .post('/predict')
      .send({ instances: rows(5, { at: 3, patch: { ph: 15 } }) })
      .expect(422);
    expect(res.body.error.message).toContain('instances[3].ph');
  });

  it('survives random garbage bodies with 4xx only', async () => {
    const garbage = [
      '',
      '{',
      '[]',
      'null',
      '1',
      'true',
      '{"a":{"b":[',
      '\u0000',
      '{"instances":null}',
      '{"__proto__":{"x":1}}',
    ];
    for (const body of garbage) {
      const res = await request(t.app)
        .post('/predict')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe('encodings and charsets: the right code and words', () => {
  let server: http.Server;
  beforeAll(async () => {
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function post(headers: Record<string, string>, body: Buffer, path = '/predict') {
    const res = await postBytes(server, path, headers, body);
    return {
      status: res.status,
      body: JSON.parse(res.text) as { error?: { code: string; message: string } },
    };
  }
  const record = JSON.stringify(GOOD);
  const utf32be = (text: string): Buffer => {
    const out = Buffer.alloc(text.length * 4);
    for (let i = 0; i < text.length; i++) out.writeUInt32BE(text.charCodeAt(i), i * 4);
    return out;
  };

  it('corrupt gzip is MALFORMED_CONTENT_ENCODING, saying so', async () => {
    const gz = gzipSync(record);
    const res = await post(
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      Buffer.concat([gz.subarray(0, 10), Buffer.from('not the rest of a gzip stream')]),
    );
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('MALFORMED_CONTENT_ENCODING');
    expect(res.body.error?.message).toMatch(
      /^The body is not valid gzip data \(Content-Encoding: gzip\)/,
    );
  });

  it('an unknown Content-Encoding is 415 naming the ones that work', async () => {
    const res = await post(
      { 'content-type': 'application/json', 'content-encoding': 'compress' },
      Buffer.from(record),
    );
    expect(res.status).toBe(415);
    expect(res.body.error?.message).toBe(
      'Content-Encoding: compress is not supported: send the body uncompressed or as gzip, deflate, br, zstd.',
    );
  });

  it('an unsupported charset is 415 saying UTF-16 and UTF-32 work too', async () => {
    const res = await post(
      { 'content-type': 'application/json; charset=latin1' },
      Buffer.from(record),
    );
    expect(res.status).toBe(415);
    expect(res.body.error?.message).toBe(
      'charset=latin1 is not supported for JSON: send UTF-8 (UTF-16 and UTF-32 are accepted too).',
    );
  });

  it.each([
    ['gzip', { 'content-encoding': 'gzip' }, gzipSync(record)],
    ['deflate', { 'content-encoding': 'deflate' }, deflateSync(record)],
    ['br', { 'content-encoding': 'br' }, brotliCompressSync(record)],
    [
      'UTF-16LE',
      { 'content-type': 'application/json; charset=utf-16le' },
      Buffer.from(record, 'utf16le'),
    ],
    ['UTF-32BE', { 'content-type': 'application/json; charset=utf-32be' }, utf32be(record)],
  ])('accepts %s', async (_name, headers, body) => {
    const res = await post({ 'content-type': 'application/json', ...headers }, body);
    expect(res.status).toBe(200);
  });

  it('CSV accepts the charsets spreadsheets write (latin1)', async () => {
    const csv = `${Object.keys(GOOD).join(',')}\n${Object.values(GOOD).join(',')}\n`;
    const res = await post(
      { 'content-type': 'text/csv; charset=latin1' },
      Buffer.from(csv, 'latin1'),
      '/invocations',
    );
    expect(res.status).toBe(200);
  });
});
