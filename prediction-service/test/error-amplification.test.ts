/**
 * Error bodies stay small whatever the input: `details` lists at most 20 problems and counts
 * the rest, texts quoting the input are clipped. Before, 1 MiB of unknown keys produced a
 * 5.4 MB 422 listing every one.
 */
import http from 'node:http';
import request from 'supertest';
import type { ErrorBody } from '../src/errors';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';
import { postBytes } from './raw-client';

let t: TestApp;
let server: http.Server;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  await writeTinyModel(tmp.dir);
  t = await buildTestApp(tmp.dir, { maxBodyBytes: 4 * 1024 * 1024 });
  server = http.createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await cleanup();
});

/** About `bytes` of JSON: an object with that many bytes of short unknown keys. */
function unknownKeys(bytes: number, prefix = 'k'): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i * 12 < bytes; i++) out[`${prefix}${i}`] = 1;
  return out;
}

const MiB = 1024 * 1024;

interface Case {
  name: string;
  path?: string;
  type?: string;
  body: string;
  status: number;
  code: string;
  /** Problems in the input; the body must list 20 and count the rest. */
  problems?: number;
  message?: RegExp;
}

const keys = unknownKeys(MiB);
const names = Object.keys(keys);
const WIDE = /has more than 64 fields; a wine record has 12\. Nothing was validated\.$/;
const CASES: Case[] = [
  {
    name: '1 MiB of unknown keys in one record: refused before parsing',
    body: JSON.stringify({ ...GOOD, ...keys }),
    status: 422,
    code: 'INVALID_INPUT',
    message: WIDE,
  },
  {
    name: '1 MiB of unknown keys in UTF-16 (Express path): refused before parsing',
    type: 'application/json; charset=utf-16le',
    body: JSON.stringify({ ...GOOD, ...keys }),
    status: 422,
    code: 'INVALID_INPUT',
    message: WIDE,
  },
  {
    name: '1 MiB of unknown keys next to "instances"',
    body: JSON.stringify({ instances: [GOOD], ...keys }),
    status: 422,
    code: 'INVALID_INPUT',
    message: WIDE,
  },
  {
    name: '1 MiB of top-level fields on /invocations',
    path: '/invocations',
    body: JSON.stringify({ instances: [GOOD], ...keys }),
    status: 422,
    code: 'INVALID_INPUT',
    message: WIDE,
  },
  {
    name: 'a dataframe_split with 1 MiB of column names',
    path: '/invocations',
    body: JSON.stringify({ dataframe_split: { columns: names, data: [names.map(() => 1)] } }),
    status: 422,
    code: 'INVALID_INPUT',
    message: /^dataframe_split\.columns has more than 64 fields/,
  },
  {
    name: 'a CSV header of 1 MiB of unknown columns',
    path: '/invocations',
    type: 'text/csv',
    body: `${names.join(',')}\n${names.map(() => '1').join(',')}\n`,
    status: 422,
    code: 'INVALID_INPUT',
    message: /^The CSV header has more than 64 fields/,
  },
  {
    name: '60 unknown keys in one record: all counted',
    body: JSON.stringify({ ...GOOD, ...unknownKeys(60 * 12) }),
    status: 422,
    code: 'INVALID_INPUT',
    problems: 60,
  },
  {
    name: '40 unknown keys in each of 300 rows: all counted',
    body: JSON.stringify({
      instances: Array.from({ length: 300 }, (_, i) => ({
        ...GOOD,
        ...unknownKeys(40 * 12, `r${i}_`),
      })),
    }),
    status: 422,
    code: 'INVALID_INPUT',
    problems: 300 * 40,
  },
  {
    name: 'one 1 MiB field name',
    body: JSON.stringify({ ...GOOD, ['x'.repeat(MiB)]: 1 }),
    status: 422,
    code: 'INVALID_INPUT',
    problems: 1,
  },
];

describe('error bodies stay small', () => {
  it.each(CASES)('$name', async (c) => {
    const utf16 = c.type?.endsWith('utf-16le') === true;
    const bytes = Buffer.from(c.body, utf16 ? 'utf16le' : 'utf8');
    const res = await postBytes(
      server,
      c.path ?? '/predict',
      { 'content-type': c.type ?? 'application/json' },
      bytes,
    );
    expect(res.status).toBe(c.status);
    expect(res.text.length).toBeLessThan(20_000);
    const { error } = JSON.parse(res.text) as ErrorBody;
    expect(error.code).toBe(c.code);
    expect(error.message.length).toBeLessThanOrEqual(1000);
    if (c.message !== undefined) expect(error.message).toMatch(c.message);
    expect(error.details.length).toBeLessThanOrEqual(20);
    for (const d of error.details) {
      expect(d.path.length).toBeLessThanOrEqual(200);
      expect(d.message.length).toBeLessThanOrEqual(200);
    }
    if (c.problems !== undefined) {
      const listed = Math.min(20, c.problems);
      expect(error.details).toHaveLength(listed);
      expect(error.details_omitted).toBe(c.problems > 20 ? c.problems - 20 : undefined);
      if (c.problems > 1 && error.message.startsWith('Invalid input')) {
        expect(error.message).toContain(`(and ${(c.problems - 1).toLocaleString('en-US')} more)`);
      }
    }
  });

  it('keeps the first problems in order and clips long names', async () => {
    const res = await request(t.app)
      .post('/predict')
      .send({ ...GOOD, ['y'.repeat(5000)]: 1, b: 2 })
      .expect(422);
    expect(res.body.error.details).toEqual([
      { path: `${'y'.repeat(199)}…`, message: `unknown field "${'y'.repeat(184)}…` },
      { path: 'b', message: 'unknown field "b"' },
    ]);
    expect(res.body.error.details_omitted).toBeUndefined();
  });
});
