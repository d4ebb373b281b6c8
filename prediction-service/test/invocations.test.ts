import { FEATURE_NAMES, createRng } from '@wine/model';
import request from 'supertest';
import { PHYSICAL_BOUNDS } from '../src/http/record.schema';
import { CSV_COLUMNS, csvBodyPattern } from '../src/http/request-docs.schema';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';

let t: TestApp;
let cleanup: () => Promise<void>;
let expected: number[];

const OTHER = { ...GOOD, alcohol: 13.1, volatile_acidity: 0.25, wine_type: 'white' as const };
const columns = Object.keys(GOOD);

beforeAll(async () => {
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  await writeTinyModel(tmp.dir);
  t = await buildTestApp(tmp.dir);
  const res = await request(t.app)
    .post('/predict')
    .send({ instances: [GOOD, OTHER] });
  expected = res.body.predictions;
});
afterAll(async () => {
  await cleanup();
});

describe('POST /invocations (MLflow scoring protocol)', () => {
  it.each([
    [
      'dataframe_split',
      { dataframe_split: { columns, data: [Object.values(GOOD), Object.values(OTHER)] } },
    ],
    [
      'dataframe_split with index',
      {
        dataframe_split: {
          index: [10, 11],
          columns,
          data: [Object.values(GOOD), Object.values(OTHER)],
        },
      },
    ],
    ['dataframe_records', { dataframe_records: [GOOD, OTHER] }],
    ['instances', { instances: [GOOD, OTHER] }],
    ['inputs as records', { inputs: [GOOD, OTHER] }],
    [
      'inputs as columns',
      {
        inputs: Object.fromEntries(
          columns.map((c) => [c, [GOOD[c as keyof typeof GOOD], OTHER[c as keyof typeof OTHER]]]),
        ),
      },
    ],
    ['dataframe_records with empty params', { dataframe_records: [GOOD, OTHER], params: {} }],
  ])('%s', async (_name, body) => {
    const res = await request(t.app).post('/invocations').send(body).expect(200);
    expect(res.body).toEqual({ predictions: expected });
  });

  it('accepts text/csv as pandas to_csv() writes it (with the index column)', async () => {
    const csv = [
      ',' + columns.join(','),
      '0,' + Object.values(GOOD).join(','),
      '1,' + Object.values(OTHER).join(','),
    ].join('\n');
    const res = await request(t.app)
      .post('/invocations')
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(200);
    expect(res.body).toEqual({ predictions: expected });
  });

  it('reads CSV as RFC 4180: quoted cells with commas, "" escapes and line breaks, CRLF rows', async () => {
    const csv = [
      columns.map((c) => `"${c}"`).join(','),
      Object.values(GOOD).join(','),
      Object.values(OTHER).join(','),
      '',
    ].join('\r\n');
    const ok = await request(t.app)
      .post('/invocations')
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(200);
    expect(ok.body).toEqual({ predictions: expected });
    // wine_type quoted with a line break, a comma and "" inside: one string cell.
    const quoted = { ...GOOD, wine_type: '"re\nd, ""dry"""' };
    const res = await request(t.app)
      .post('/invocations')
      .set('Content-Type', 'text/csv')
      .send(`${columns.join(',')}\n${Object.values(quoted).join(',')}\n`)
      .expect(422);
    expect(res.body.error.details).toEqual([
      { path: 'csv[0].wine_type', message: 'must be one of red, white' },
    ]);
  });

  it.each([
    ['an empty body', '', /^The CSV body is empty/],
    ['only blank lines', '\n\n', /^The CSV body is empty/],
    [
      'an unclosed quote',
      `${columns.join(',')}\n"7.4,0.7\n`,
      /^The body is not valid CSV: Quote Not Closed/,
    ],
    [
      'a row with a cell too many',
      `${columns.join(',')}\n${Object.values(GOOD).join(',')},1\n`,
      /^CSV row 1 \(line 2\) has 13 cells, the header 12\.$/,
    ],
    ['a column named twice', 'ph,ph\n1,2\n', /^The CSV header names the column "ph" twice\.$/],
  ])('refuses %s with MALFORMED_CSV', async (_name, csv, message) => {
    const res = await request(t.app)
      .post('/invocations')
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(400);
    expect(res.body.error.code).toBe('MALFORMED_CSV');
    expect(res.body.error.message).toMatch(message);
  });

  it('takes only plain decimals as numbers (not 0x3 or Infinity)', async () => {
    const odd = { ...GOOD, ph: '0x3', alcohol: 'Infinity' };
    const res = await request(t.app)
      .post('/invocations')
      .set('Content-Type', 'text/csv')
      .send(`${columns.join(',')}\n${Object.values(odd).join(',')}\n`)
      .expect(422);
    const details = res.body.error.details as Array<{ path: string }>;
    expect(details.map((d) => d.path)).toEqual(['csv[0].ph', 'csv[0].alcohol']);
  });

  it('column order in dataframe_split does not matter', async () => {
    const reversed = [...columns].reverse();
    const row = reversed.map((c) => GOOD[c as keyof typeof GOOD]);
    const res = await request(t.app)
      .post('/invocations')
      .send({ dataframe_split: { columns: reversed, data: [row] } })
      .expect(200);
    expect(res.body.predictions).toEqual([expected[0]]);
  });
});

describe('the text/csv schema in /openapi.json', () => {
  const doc = (maxRows: number) => new RegExp(csvBodyPattern(maxRows), 'u');
  const header = CSV_COLUMNS.join(',');

  it('only describes values within the physical bounds', () => {
    // Each feature's decimal pattern, probed with numbers around and beyond its bounds.
    const rng = createRng(3);
    for (const [index, name] of FEATURE_NAMES.entries()) {
      const { min, max } = PHYSICAL_BOUNDS[name];
      for (let i = 0; i < 3000; i++) {
        const value = (rng.next() * 2.4 - 0.2) * (max ?? 10_000);
        const text = value.toFixed(rng.int(5));
        const cells = Object.values(GOOD).map(String);
        cells[index] = text;
        const body = `${header}\n${cells.join(',')}`;
        if (doc(5).test(body)) {
          expect(Number(text)).toBeGreaterThanOrEqual(min);
          if (max !== undefined) expect(Number(text)).toBeLessThanOrEqual(max);
        }
      }
    }
  });

  it('every body it describes is answered 200, edge values and the row limit included', async () => {
    const edge = [9999.9999, 0, 0.1, 1, 0, 9999, 0, 1.0999, 13.9999, 0, 99.9999, 'white'];
    const low = [0, 0, 0, 0, 0, 0, 0, 0.9, 0, 0, 0, 'red'];
    const body = `${header}\n${edge.join(',')}\n${low.join(',')}\n`;
    expect(doc(2).test(body)).toBe(true);
    expect(doc(1).test(body)).toBe(false);
    const res = await request(t.app)
      .post('/invocations')
      .set('Content-Type', 'text/csv')
      .send(body)
      .expect(200);
    expect(res.body.predictions).toHaveLength(2);
  });
});
