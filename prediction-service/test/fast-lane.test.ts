/**
 * The scoring fast lane must be indistinguishable from the Express routes it stands in for:
 * every request here goes over real sockets to both the combined handler and the Express app
 * alone, and status, headers (names, spelling, order, values) and body bytes must match.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRIC_NAMES } from '../src/metrics';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';

const LIMIT = 4096;
let t: TestApp;
let cleanup: () => Promise<void>;
const servers: http.Server[] = [];
let fastUrl: URL;
let expressUrl: URL;

async function listen(handler: http.RequestListener): Promise<URL> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

beforeAll(async () => {
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  await writeTinyModel(tmp.dir);
  t = await buildTestApp(tmp.dir, { maxBodyBytes: LIMIT, maxBatchRows: 5 });
  fastUrl = await listen(t.app);
  expressUrl = await listen(t.express);
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  await cleanup();
});

interface Probe {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** Sent with Content-Length unless `chunked`, then as several chunks without it. */
  body?: string | Buffer;
  chunked?: boolean;
}

interface Answer {
  status: number;
  headers: string[];
  body: string;
}

function send(base: URL, probe: Probe): Promise<Answer> {
  const body = probe.body ?? '';
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(probe.path ?? '/predict', base),
      {
        method: probe.method ?? 'POST',
        agent: false,
        headers: {
          'x-request-id': 'fixed-id',
          ...(probe.chunked === true ? {} : { 'content-length': String(bytes.length) }),
          ...probe.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          // Date differs between the two answers; everything else must not.
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i] as string;
            if (name.toLowerCase() !== 'date') headers.push(`${name}: ${res.rawHeaders[i + 1]}`);
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString() });
        });
      },
    );
    req.on('error', reject);
    if (probe.chunked === true) {
      for (let i = 0; i < bytes.length; i += 1000) req.write(bytes.subarray(i, i + 1000));
    } else if (bytes.length > 0) {
      req.write(bytes);
    }
    req.end();
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const json = (value: unknown): string => JSON.stringify(value);
const wines = (n: number): unknown[] => Array.from({ length: n }, () => GOOD);

const PROBES: Array<[string, Probe]> = [
  ['one record', { headers: JSON_TYPE, body: json(GOOD) }],
  ['a batch', { headers: JSON_TYPE, body: json({ instances: wines(3) }) }],
  [
    'charset=utf-8',
    { headers: { 'content-type': 'application/json; charset=utf-8' }, body: json(GOOD) },
  ],
  [
    'charset=UTF-8 no space',
    { headers: { 'content-type': 'Application/JSON;charset=UTF-8' }, body: json(GOOD) },
  ],
  [
    'charset="utf-8"',
    { headers: { 'content-type': 'application/json; charset="utf-8"' }, body: json(GOOD) },
  ],
  [
    'charset=latin1 (Express answers 415)',
    { headers: { 'content-type': 'application/json; charset=latin1' }, body: json(GOOD) },
  ],
  [
    'charset=utf-16 (Express decodes it)',
    {
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from(json(GOOD), 'utf16le'),
    },
  ],
  ['text/plain', { headers: { 'content-type': 'text/plain' }, body: json(GOOD) }],
  ['no content type', { body: json(GOOD) }],
  ['a UTF-8 byte order mark', { headers: JSON_TYPE, body: `\uFEFF${json(GOOD)}` }],
  ['leading whitespace', { headers: JSON_TYPE, body: ` \n\t${json(GOOD)}` }],
  ['an empty body', { headers: JSON_TYPE, body: '' }],
  ['a blank body', { headers: JSON_TYPE, body: '   ' }],
  ['a bare string', { headers: JSON_TYPE, body: '"hello"' }],
  ['null', { headers: JSON_TYPE, body: 'null' }],
  ['truncated JSON', { headers: JSON_TYPE, body: '{"fixed_acidity": 7.4,' }],
  ['invalid UTF-8 bytes', { headers: JSON_TYPE, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }],
  [
    'an impossible value in a batch',
    { headers: JSON_TYPE, body: json({ instances: [GOOD, { ...GOOD, ph: 15 }] }) },
  ],
  ['an unknown field', { headers: JSON_TYPE, body: json({ ...GOOD, colour: 'red' }) }],
  ['a batch over MAX_BATCH_ROWS', { headers: JSON_TYPE, body: json({ instances: wines(6) }) }],
  [
    'a body over the limit (Content-Length)',
    { headers: JSON_TYPE, body: json({ instances: wines(1), pad: 'x'.repeat(LIMIT) }) },
  ],
  [
    'a chunked body over the limit',
    {
      headers: JSON_TYPE,
      body: json({ instances: wines(1), pad: 'x'.repeat(3 * LIMIT) }),
      chunked: true,
    },
  ],
  [
    'a chunked body under the limit',
    { headers: JSON_TYPE, body: json({ instances: wines(2) }), chunked: true },
  ],
  ['a body of exactly the limit', { headers: JSON_TYPE, body: json(GOOD).padEnd(LIMIT, ' ') }],
  [
    'an unsafe X-Request-Id is replaced',
    { headers: { ...JSON_TYPE, 'x-request-id': 'bad id!' }, body: '{' },
  ],
  [
    'gzip content-encoding (Express inflates)',
    { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: 'not gzip' },
  ],
  [
    '/invocations dataframe_records',
    { path: '/invocations', headers: JSON_TYPE, body: json({ dataframe_records: wines(2) }) },
  ],
  [
    '/invocations dataframe_split',
    {
      path: '/invocations',
      headers: JSON_TYPE,
      body: json({ dataframe_split: { columns: Object.keys(GOOD), data: [Object.values(GOOD)] } }),
    },
  ],
  [
    '/invocations two formats',
    {
      path: '/invocations',
      headers: JSON_TYPE,
      body: json({ instances: wines(1), inputs: wines(1) }),
    },
  ],
  [
    '/invocations CSV (Express)',
    {
      path: '/invocations',
      headers: { 'content-type': 'text/csv' },
      body: `${Object.keys(GOOD).join(',')}\n${Object.values(GOOD).join(',')}`,
    },
  ],
  ['/predict/ (Express)', { path: '/predict/', headers: JSON_TYPE, body: json(GOOD) }],
  ['/predict?x=1 (Express)', { path: '/predict?x=1', headers: JSON_TYPE, body: json(GOOD) }],
  ['GET /predict (Express, 405)', { method: 'GET', path: '/predict' }],
];

describe('the fast lane answers exactly as the Express routes', () => {
  it.each(PROBES)('%s', async (_name, probe) => {
    const [fast, reference] = await Promise.all([send(fastUrl, probe), send(expressUrl, probe)]);
    if (probe.headers?.['x-request-id'] === 'bad id!') {
      // A fresh UUID each time: compare its shape, then everything else.
      const uuid = /^(X-Request-Id: )[0-9a-f-]{36}$/;
      for (const a of [fast, reference]) {
        expect(a.headers.some((h) => uuid.test(h))).toBe(true);
        a.headers = a.headers.map((h) => h.replace(uuid, '$1<uuid>'));
        a.body = a.body.replace(/[0-9a-f-]{36}/g, '<uuid>');
      }
    }
    expect(fast).toEqual(reference);
  });

  it('counts durations with the same route and status labels', async () => {
    const count = async (route: string, status: number): Promise<number> => {
      const metric = await t.registry.getSingleMetricAsString(METRIC_NAMES.httpRequestDuration);
      const line = metric
        .split('\n')
        .find((l) =>
          l.startsWith(
            `${METRIC_NAMES.httpRequestDuration}_count{method="POST",route="${route}",status="${status}"}`,
          ),
        );
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    const before = [await count('/predict', 200), await count('/invocations', 422)];
    await send(fastUrl, { headers: JSON_TYPE, body: json(GOOD) });
    await send(fastUrl, {
      path: '/invocations',
      headers: JSON_TYPE,
      body: json({ inputs: [{ ...GOOD, ph: 'x' }] }),
    });
    expect([await count('/predict', 200), await count('/invocations', 422)]).toEqual([
      (before[0] ?? 0) + 1,
      (before[1] ?? 0) + 1,
    ]);
  });

  it('survives a client that disconnects mid-body', async () => {
    await new Promise<void>((resolve) => {
      const req = http.request(new URL('/predict', fastUrl), {
        method: 'POST',
        agent: false,
        headers: { ...JSON_TYPE, 'content-length': '1000' },
      });
      req.on('error', () => {
        resolve();
      });
      req.write('{"fixed_acidity":', () => {
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 20);
      });
    });
    const after = await send(fastUrl, { headers: JSON_TYPE, body: json(GOOD) });
    expect(after.status).toBe(200);
  });
});
