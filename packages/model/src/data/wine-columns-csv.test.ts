import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  FEATURE_NAMES,
  WineColumnsParser,
  loadWineColumns,
  parseWineColumns,
  parseWineCsv,
} from '@wine/model';
import { uciRow, uciSemicolonCsv } from '../../test/fixtures/wine-csv';
import { parseDecimalAt } from './wine-columns-csv';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const uci = uciSemicolonCsv(Array.from({ length: 40 }, (_, i) => uciRow(i)));

describe('parseWineColumns reads what parseWineCsv reads, column by column', () => {
  it('UCI file: quoted ";" header, colour from the file name', () => {
    const rows = parseWineCsv(uci, { file: 'winequality-red.csv' }).records;
    const { columns, rowsRead, rowsRejected } = parseWineColumns(uci, {
      file: 'winequality-red.csv',
    });
    expect([rowsRead, rowsRejected, columns.rows]).toEqual([40, 0, 40]);
    for (const name of FEATURE_NAMES) {
      expect(Array.from(columns.features[name])).toEqual(rows.map((r) => r[name]));
    }
    expect(Array.from(columns.quality!)).toEqual(rows.map((r) => r.quality));
    expect(columns.wineType).toEqual(rows.map(() => 'red'));
    expect(columns.prediction).toBeUndefined();
  });

  it('any chunking gives the same columns (lines split across chunks, CRLF, BOM, blanks)', () => {
    const text = '\ufeff' + uci.replace(/\n/g, '\r\n').replace('\r\n', '\r\n\r\n');
    const whole = parseWineColumns(text, { file: 'white.csv' }).columns;
    for (const size of [1, 7, 64]) {
      const parser = new WineColumnsParser({ file: 'white.csv' });
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
      expect(parser.end().columns).toEqual(whole);
    }
  });

  it('live data: no quality; a prediction column and extra columns; quoted cells', () => {
    const header = [...FEATURE_NAMES, 'wine_type', 'prediction', 'request_id'].join(',');
    const row = (i: number): string =>
      [...uciRow(i).slice(0, 11), i % 2 ? '"White"' : ' red ', `5.${i}`, `"id,${i}"`].join(',');
    const text = [header, row(1), row(2), row(3)].join('\n');
    const { columns } = parseWineColumns(text, { file: 'live.csv' });
    expect(columns.quality).toBeUndefined();
    expect(Array.from(columns.prediction!)).toEqual([5.1, 5.2, 5.3]);
    expect(columns.wineType).toEqual(['white', 'red', 'white']);
  });

  it('requireQuality refuses a file without quality', () => {
    const text = [FEATURE_NAMES.join(','), uciRow(1).slice(0, 11).join(',')].join('\n');
    expect(() => parseWineColumns(text, { file: 'red.csv', requireQuality: true })).toThrow(
      /missing column\(s\) quality/,
    );
  });
});

describe('bad rows', () => {
  const bad = (i: number, column: number, value: string): string[] => {
    const row = uciRow(i);
    row[column] = value;
    return row;
  };
  const text = uciSemicolonCsv([
    uciRow(0),
    bad(1, 4, '-0.1'),
    bad(2, 0, '0x1F'),
    bad(3, 11, '5.5'),
    uciRow(4),
    ['1', '2'],
  ]);

  it('fail (default): the first bad row, with file, line, column and value', () => {
    expect(thrown(() => parseWineColumns(text, { file: 'red.csv' }))).toMatchObject({
      code: 'DATA_OUT_OF_RANGE',
      message: expect.stringMatching(/red\.csv:3, column "chlorides": value "-0\.1"/),
    });
  });

  it('reject: bad rows skipped and counted, good rows kept whole', () => {
    const result = parseWineColumns(text, { file: 'red.csv', onInvalidRow: 'reject' });
    expect([result.rowsRead, result.rowsRejected, result.columns.rows]).toEqual([6, 4, 2]);
    expect(result.rejected.map((e) => [e.line, e.code])).toEqual([
      [3, 'DATA_OUT_OF_RANGE'],
      [4, 'DATA_NOT_A_NUMBER'],
      [5, 'DATA_NOT_INTEGER'],
      [7, 'DATA_FIELD_COUNT'],
    ]);
    for (const name of FEATURE_NAMES) expect(result.columns.features[name]).toHaveLength(2);
    expect(Array.from(result.columns.quality!)).toEqual([5, 6]);
  });

  it('empty files, header only, unknown colours, unterminated quotes', () => {
    expect(() => parseWineColumns('', { file: 'red.csv' })).toThrow(/empty/);
    expect(() => parseWineColumns(uci.split('\n')[0]!, { file: 'red.csv' })).toThrow(
      /no data rows/,
    );
    const rosé = [
      [...FEATURE_NAMES, 'wine_type'].join(','),
      [...uciRow(0).slice(0, 11), 'rose'].join(','),
    ].join('\n');
    expect(() => parseWineColumns(rosé, { file: 'x.csv' })).toThrow(/wine_type must be/);
    expect(() => parseWineColumns(uci + '"1;2\n', { file: 'red.csv' })).toThrow(
      /unterminated quote/,
    );
    expect(thrown(() => parseWineColumns(uci, { file: 'wines.csv' }))).toMatchObject({
      code: 'DATA_NO_WINE_TYPE',
    });
  });
});

describe('parseDecimalAt', () => {
  it.each([
    '0',
    '-0',
    '7.4',
    '0.9978',
    '.5',
    '5.',
    '+2',
    '1e5',
    '1.5E-3',
    '12345678901234567890',
    '0.30000000000000004',
    '1e300',
    '1e-30',
    '123.456e-7',
    '  3.2 ',
    '9007199254740993',
  ])('%s equals Number()', (s) => {
    expect(Object.is(parseDecimalAt(`x,${s},y`, 2, 2 + s.length), Number(s))).toBe(true);
  });
  it.each(['', ' ', '0x1F', 'Infinity', 'NaN', '1e', '--1', '1.2.3', 'e5', '.', '1,5'])(
    '%j is not a number',
    (s) => {
      expect(parseDecimalAt(s, 0, s.length)).toBeNaN();
    },
  );
});

it('loadWineColumns streams a file and reports progress', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wine-columns-'));
  try {
    const file = path.join(dir, 'winequality-white.csv');
    await writeFile(file, uci);
    const seen: number[] = [];
    const result = await loadWineColumns(file, { onProgress: (done) => seen.push(done) });
    expect(result.columns.rows).toBe(40);
    expect(seen.at(-1)).toBe(Buffer.byteLength(uci));
    await expect(loadWineColumns(path.join(dir, 'nope.csv'))).rejects.toMatchObject({
      code: 'DATA_FILE_NOT_FOUND',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
