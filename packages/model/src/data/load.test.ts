import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataError, loadWineCsv, loadWineDataDir } from '@wine/model';
import { uciCommaCsv, uciRow, uciSemicolonCsv } from '../../test/fixtures/wine-csv';

describe('loaders', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wine-load-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loadWineCsv reads a file and infers the colour from its name', async () => {
    const file = path.join(dir, 'some-white-wines.csv');
    await writeFile(file, uciSemicolonCsv([uciRow(0), uciRow(1)]));
    const result = await loadWineCsv(file);
    expect(result).toMatchObject({ file, rowsRead: 2, rejected: [] });
    expect(result.records.every((r) => r.wine_type === 'white')).toBe(true);
  });

  it('loadWineCsv reports a missing file with a typed error', async () => {
    await expect(loadWineCsv(path.join(dir, 'nope-red.csv'))).rejects.toMatchObject({
      code: 'DATA_FILE_NOT_FOUND',
    });
  });

  it('loadWineDataDir loads red then white', async () => {
    await writeFile(path.join(dir, 'winequality-red.csv'), uciSemicolonCsv([uciRow(0)]));
    await writeFile(path.join(dir, 'winequality-white.csv'), uciCommaCsv([uciRow(1), uciRow(2)]));
    const { records, reports } = await loadWineDataDir(dir);
    expect(records.map((r) => r.wine_type)).toEqual(['red', 'white', 'white']);
    expect(reports.map((r) => path.basename(r.file))).toEqual([
      'winequality-red.csv',
      'winequality-white.csv',
    ]);
  });

  it('loadWineDataDir tells the user how to get the data when a file is absent', async () => {
    await writeFile(path.join(dir, 'winequality-red.csv'), uciSemicolonCsv([uciRow(0)]));
    const err: unknown = await loadWineDataDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('DATA_FILE_NOT_FOUND');
    expect((err as DataError).message).toMatch(/winequality-white\.csv not found/);
    expect((err as DataError).message).toMatch(/pnpm run data:download/);
    expect((err as DataError).message).toMatch(/WINE_DATA_DIR/);
  });
});
