import {
  DataError,
  FEATURE_NAMES,
  datasetFingerprint,
  formatRejections,
  inferWineType,
  parseWineCsv,
} from '@wine/model';
import type { DataErrorCode } from '@wine/model';
import {
  UCI_HEADERS,
  snakeCaseCsv,
  uciCommaCsv,
  uciRow,
  uciSemicolonCsv,
} from '../../test/fixtures/wine-csv';

const rows = [uciRow(0), uciRow(1), uciRow(2)];

function catchDataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError');
}

describe('parseWineCsv header forms', () => {
  const semicolon = parseWineCsv(uciSemicolonCsv(rows), { file: 'data/winequality-red.csv' });
  const comma = parseWineCsv(uciCommaCsv(rows), { file: 'x.csv', wineType: 'red' });
  const snake = parseWineCsv(snakeCaseCsv(rows.map((values) => ({ values, wineType: 'red' }))), {
    file: 'mixed.csv',
  });

  it('reads the original UCI form (semicolons, quoted headers, colour from file name)', () => {
    expect(semicolon).toMatchObject({
      rowsRead: 3,
      rejected: [],
      file: 'data/winequality-red.csv',
    });
    expect(semicolon.records[0]).toEqual({
      fixed_acidity: 7,
      volatile_acidity: 0.3,
      citric_acid: 0.25,
      residual_sugar: 1.9,
      chlorides: 0.076,
      free_sulfur_dioxide: 11,
      total_sulfur_dioxide: 34,
      density: 0.9978,
      ph: 3.51,
      sulphates: 0.56,
      alcohol: 9.4,
      quality: 5,
      wine_type: 'red',
    });
  });

  it('reads comma copies and snake_case files in any column order to the same records', () => {
    expect(comma.records).toEqual(semicolon.records);
    expect(snake.records).toEqual(semicolon.records);
    expect(datasetFingerprint(snake.records)).toBe(datasetFingerprint(semicolon.records));
  });

  it('takes wine_type per row from the column (case-insensitive)', () => {
    const r = parseWineCsv(
      snakeCaseCsv([
        { values: uciRow(0), wineType: 'White' },
        { values: uciRow(1), wineType: 'red' },
      ]),
      { file: 'winequality-red.csv' },
    );
    expect(r.records.map((x) => x.wine_type)).toEqual(['white', 'red']);
  });

  it('handles a UTF-8 BOM, blank lines and an extra column', () => {
    const text = `\uFEFFid,${UCI_HEADERS.join(',')}\n\n1,${uciRow(0).join(',')}\n\n`;
    const r = parseWineCsv(text, { file: 'white.csv' });
    expect(r.records).toHaveLength(1);
    expect(r.records[0]?.wine_type).toBe('white');
  });

  it.each([
    ['winequality-red.csv', 'red'],
    ['/x/WHITE_wines.csv', 'white'],
    ['red-and-white.csv', undefined],
    ['wines.csv', undefined],
  ])('infers the colour of %s as %p', (file, type) => {
    expect(inferWineType(file)).toBe(type);
  });
});

describe('parseWineCsv file-level errors', () => {
  it('names missing columns and what was found', () => {
    const text = uciCommaCsv(rows).replace('pH,', 'acidity_ph,');
    const err = catchDataError(() => parseWineCsv(text, { file: 'a-red.csv' }));
    expect(err.code).toBe('DATA_MISSING_COLUMN');
    expect(err.message).toMatch(/a-red\.csv:1: missing column\(s\) ph; found .*acidity_ph/);
    expect(err.details).toEqual(['ph']);
  });

  it('rejects a header mapping two columns onto one name', () => {
    const text = `pH,${UCI_HEADERS.join(',')}\n3.1,${uciRow(0).join(',')}\n`;
    expect(catchDataError(() => parseWineCsv(text, { file: 'red.csv' })).code).toBe(
      'DATA_DUPLICATE_COLUMN',
    );
  });

  it('needs a colour from the column, the option or the file name', () => {
    const err = catchDataError(() => parseWineCsv(uciCommaCsv(rows), { file: 'wines.csv' }));
    expect(err.code).toBe('DATA_NO_WINE_TYPE');
    expect(err.message).toMatch(/wines\.csv: no wine_type column/);
  });

  it('reports malformed CSV structure with file and line', () => {
    const text = `${UCI_HEADERS.join(',')}\n${uciRow(0).join(',')}\n"7.4,0.7\n`;
    const err = catchDataError(() => parseWineCsv(text, { file: 'red.csv' }));
    expect(err.code).toBe('DATA_MALFORMED_CSV');
    expect(err.message).toMatch(/^red\.csv:\d+: malformed CSV/);
  });

  it.each([
    ['an empty file', '', 'DATA_MISSING_COLUMN'],
    ['a header only', `${UCI_HEADERS.join(',')}\n`, 'DATA_NO_VALID_ROWS'],
    [
      'only bad rows',
      `${UCI_HEADERS.join(',')}\n${uciRow(0).join(',').replace('3.51', 'x')}\n`,
      'DATA_NO_VALID_ROWS',
    ],
  ])('rejects %s', (_name, text, code) => {
    expect(catchDataError(() => parseWineCsv(text, { file: 'red.csv' })).code).toBe(code);
  });
});

describe('parseWineCsv row validation', () => {
  const col = (name: string): number => [...FEATURE_NAMES, 'quality'].indexOf(name);
  const withValue = (name: string, value: string): string[] => {
    const r = uciRow(5);
    r[col(name)] = value;
    return r;
  };

  it.each<[string, string, DataErrorCode]>([
    ['fixed_acidity', '', 'DATA_MISSING_VALUE'],
    ['volatile_acidity', 'abc', 'DATA_NOT_A_NUMBER'],
    ['citric_acid', 'NaN', 'DATA_NOT_A_NUMBER'],
    ['residual_sugar', 'Infinity', 'DATA_NOT_A_NUMBER'],
    ['chlorides', '0x1F', 'DATA_NOT_A_NUMBER'],
    ['chlorides', '-0.01', 'DATA_OUT_OF_RANGE'],
    ['free_sulfur_dioxide', '-1', 'DATA_OUT_OF_RANGE'],
    ['total_sulfur_dioxide', '-5', 'DATA_OUT_OF_RANGE'],
    ['density', '0.5', 'DATA_OUT_OF_RANGE'],
    ['density', '1.2', 'DATA_OUT_OF_RANGE'],
    ['ph', '-0.1', 'DATA_OUT_OF_RANGE'],
    ['ph', '14.5', 'DATA_OUT_OF_RANGE'],
    ['sulphates', '-0.2', 'DATA_OUT_OF_RANGE'],
    ['alcohol', '-1', 'DATA_OUT_OF_RANGE'],
    ['alcohol', '101', 'DATA_OUT_OF_RANGE'],
    ['quality', '11', 'DATA_OUT_OF_RANGE'],
    ['quality', '-1', 'DATA_OUT_OF_RANGE'],
    ['quality', '5.5', 'DATA_NOT_INTEGER'],
    ['quality', '', 'DATA_MISSING_VALUE'],
  ])('%s = %p → %s, naming file, line, column and value', (column, value, code) => {
    const text = uciCommaCsv([uciRow(0), withValue(column, value), uciRow(1)]);
    const result = parseWineCsv(text, { file: 'winequality-red.csv' });
    expect(result.records).toHaveLength(2);
    expect(result.rowsRead).toBe(3);
    expect(result.rejected).toEqual([
      { file: 'winequality-red.csv', line: 3, column, value, code, reason: expect.any(String) },
    ]);
  });

  it.each([
    ['0', true],
    ['14', true],
    ['1e1', true],
    ['.5', true],
  ])('accepts boundary/exponent pH %p', (value) => {
    const result = parseWineCsv(uciCommaCsv([withValue('ph', value)]), { file: 'red.csv' });
    expect(result.rejected).toEqual([]);
  });

  it('rejects an unknown wine_type', () => {
    const text = snakeCaseCsv([
      { values: uciRow(0), wineType: 'rose' },
      { values: uciRow(1), wineType: 'red' },
    ]);
    const result = parseWineCsv(text, { file: 'mixed.csv' });
    expect(result.rejected).toEqual([
      expect.objectContaining({
        line: 2,
        column: 'wine_type',
        value: 'rose',
        code: 'DATA_UNKNOWN_WINE_TYPE',
      }),
    ]);
  });

  it('rejects a row with the wrong number of fields', () => {
    const text = uciCommaCsv([uciRow(0), uciRow(1).slice(0, 11)]);
    const result = parseWineCsv(text, { file: 'red.csv' });
    expect(result.rejected).toEqual([
      expect.objectContaining({ line: 3, code: 'DATA_FIELD_COUNT', column: '' }),
    ]);
  });

  it('reports every problem of a row but rejects the row once', () => {
    const bad = withValue('ph', '15');
    bad[col('alcohol')] = 'x';
    const result = parseWineCsv(uciCommaCsv([uciRow(0), bad]), { file: 'red.csv' });
    expect(result.rejected.map((e) => e.column)).toEqual(['ph', 'alcohol']);
    expect(result.rowsRead - result.records.length).toBe(1);
  });

  it("onInvalidRow 'fail' throws naming the first bad line", () => {
    const text = uciCommaCsv([uciRow(0), uciRow(1), withValue('ph', '15'), withValue('ph', '16')]);
    const err = catchDataError(() =>
      parseWineCsv(text, { file: 'winequality-red.csv', onInvalidRow: 'fail' }),
    );
    expect(err.code).toBe('DATA_OUT_OF_RANGE');
    expect(err.message).toBe(
      'invalid row at winequality-red.csv:4, column "ph": value "15" — pH must be within 0–14 [DATA_OUT_OF_RANGE]',
    );
    expect(err.rowErrors).toHaveLength(1);
  });
});

describe('formatRejections', () => {
  it('summarises counts by code and the first examples', () => {
    const bad = Array.from({ length: 7 }, (_, i) => {
      const r = uciRow(i);
      r[8] = i % 2 === 0 ? '15' : 'n/a';
      return r;
    });
    const result = parseWineCsv(uciCommaCsv([uciRow(0), ...bad]), { file: 'red.csv' });
    expect(formatRejections(result, 2)).toBe(
      [
        'red.csv: 7 of 8 rows rejected (7 problems: DATA_OUT_OF_RANGE ×4, DATA_NOT_A_NUMBER ×3)',
        '  red.csv:3, column "ph": value "15" — pH must be within 0–14 [DATA_OUT_OF_RANGE]',
        '  red.csv:4, column "ph": value "n/a" — not a finite decimal number [DATA_NOT_A_NUMBER]',
        '  … and 5 more',
      ].join('\n'),
    );
  });

  it('is empty when nothing was rejected', () => {
    expect(formatRejections(parseWineCsv(uciCommaCsv(rows), { file: 'red.csv' }))).toBe('');
  });
});

describe('datasetFingerprint', () => {
  it('is a sha256 hex that changes with content and order', () => {
    const { records } = parseWineCsv(uciCommaCsv(rows), { file: 'red.csv' });
    const fp = datasetFingerprint(records);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(datasetFingerprint([...records].reverse())).not.toBe(fp);
    expect(datasetFingerprint(records.map((r) => ({ ...r, quality: r.quality + 1 })))).not.toBe(fp);
  });
});
