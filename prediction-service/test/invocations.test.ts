import request from 'supertest';
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
