/**
 * Exercises the real download path (fetch → sha256 → unzip → validate → atomic write)
 * against a loopback HTTP server serving a zip built here from synthetic CSV text.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { DataError } from '@wine/model';
import type { UciWineArchive } from '@wine/model';
import { downloadWineData, sha256Hex } from './download-wine-data';

const HEADER =
  '"fixed acidity";"volatile acidity";"citric acid";"residual sugar";"chlorides";' +
  '"free sulfur dioxide";"total sulfur dioxide";"density";"pH";"sulphates";"alcohol";"quality"';

function csv(rows: number, offset: number): string {
  const lines = Array.from(
    { length: rows },
    (_, i) => `7.${(i + offset) % 10};0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;${5 + (i % 3)}`,
  );
  return `${HEADER}\n${lines.join('\n')}\n`;
}

const RED = strToU8(csv(4, 0));
const WHITE = strToU8(csv(6, 3));
const NAMES = strToU8('Citation Request: synthetic test archive\n');
const ZIP = zipSync({
  'winequality/winequality-red.csv': RED,
  'winequality/winequality-white.csv': WHITE,
  'winequality/winequality.names': NAMES,
});

function spec(
  overrides: Partial<Record<'red' | 'white', { sha256?: string; rows?: number }>> = {},
): UciWineArchive {
  return {
    url: 'unused',
    sha256: null,
    files: {
      red: {
        name: 'winequality-red.csv',
        sha256: sha256Hex(RED),
        bytes: RED.byteLength,
        rows: 4,
        ...overrides.red,
      },
      white: {
        name: 'winequality-white.csv',
        sha256: sha256Hex(WHITE),
        bytes: WHITE.byteLength,
        rows: 6,
        ...overrides.white,
      },
    },
    extras: ['winequality.names'],
  };
}

describe('downloadWineData (loopback server)', () => {
  let server: Server;
  let base: string;
  let dest: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      if (req.url === '/wine.zip') {
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': ZIP.byteLength });
        res.end(ZIP);
      } else if (req.url === '/not-a-zip') {
        res.end('<html>maintenance</html>');
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(async () => {
    dest = path.join(await mkdtemp(path.join(os.tmpdir(), 'wine-dl-')), 'data');
  });
  afterEach(async () => {
    await rm(path.dirname(dest), { recursive: true, force: true });
  });

  const listDest = (): Promise<string[]> => readdir(dest).catch(() => []);

  it('downloads, verifies the archive digest, and writes the CSVs and notes', async () => {
    const progress: number[] = [];
    const report = await downloadWineData({
      dest,
      url: `${base}/wine.zip`,
      archive: spec(),
      archiveSha256: sha256Hex(ZIP),
      onProgress: (received, total) => {
        expect(total).toBe(ZIP.byteLength);
        progress.push(received);
      },
    });
    expect(report).toMatchObject({
      status: 'downloaded',
      archiveVerified: true,
      archiveBytes: ZIP.byteLength,
    });
    expect(report.files.map((f) => [f.name, f.rows, f.checksumPinned])).toEqual([
      ['winequality-red.csv', 4, true],
      ['winequality-white.csv', 6, true],
      ['winequality.names', undefined, false],
    ]);
    expect(progress.at(-1)).toBe(ZIP.byteLength);
    expect((await listDest()).sort()).toEqual([
      'winequality-red.csv',
      'winequality-white.csv',
      'winequality.names',
    ]);
    expect(await readFile(path.join(dest, 'winequality-red.csv'))).toEqual(Buffer.from(RED));
  });

  it('reports an unpinned archive digest without failing', async () => {
    const report = await downloadWineData({ dest, url: `${base}/wine.zip`, archive: spec() });
    expect(report).toMatchObject({ archiveVerified: false, archiveSha256: sha256Hex(ZIP) });
  });

  it('skips when both files are present, replaces them with force', async () => {
    await downloadWineData({ dest, url: `${base}/wine.zip`, archive: spec() });
    await writeFile(path.join(dest, 'winequality-red.csv'), 'stale');
    const before = requests;
    const skipped = await downloadWineData({ dest, url: `${base}/wine.zip`, archive: spec() });
    expect(skipped.status).toBe('already-present');
    expect(requests).toBe(before);
    await downloadWineData({ dest, url: `${base}/wine.zip`, archive: spec(), force: true });
    expect(await readFile(path.join(dest, 'winequality-red.csv'))).toEqual(Buffer.from(RED));
  });

  it.each<[string, () => Parameters<typeof downloadWineData>[0], string, RegExp]>([
    [
      'archive checksum mismatch',
      () => ({ dest, url: `${base}/wine.zip`, archive: spec(), archiveSha256: '0'.repeat(64) }),
      'DATA_CHECKSUM_MISMATCH',
      /archive sha256 [0-9a-f]{64} differs from the expected 0{64}.*Nothing was written/,
    ],
    [
      'CSV checksum mismatch',
      () => ({
        dest,
        url: `${base}/wine.zip`,
        archive: spec({ white: { sha256: 'f'.repeat(64) } }),
      }),
      'DATA_CHECKSUM_MISMATCH',
      /winequality-white\.csv: sha256 .* differs from the pinned f{64}/,
    ],
    [
      'row count mismatch',
      () => ({ dest, url: `${base}/wine.zip`, archive: spec({ red: { rows: 1599 } }) }),
      'DATA_INVALID_VALUE',
      /winequality-red\.csv: 4 rows, expected 1599/,
    ],
    [
      'HTTP 404',
      () => ({ dest, url: `${base}/missing.zip`, archive: spec() }),
      'DATA_DOWNLOAD_FAILED',
      /answered HTTP 404/,
    ],
    [
      'a body that is not a zip',
      () => ({ dest, url: `${base}/not-a-zip`, archive: spec() }),
      'DATA_DOWNLOAD_FAILED',
      /not a readable zip/,
    ],
    [
      'an unreachable server',
      () => ({ dest, url: 'http://127.0.0.1:1/wine.zip', archive: spec() }),
      'DATA_DOWNLOAD_FAILED',
      /cannot reach/,
    ],
  ])('fails on %s and writes nothing', async (_name, options, code, message) => {
    const err: unknown = await downloadWineData(options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe(code);
    expect((err as DataError).message).toMatch(message);
    expect(await listDest()).toEqual([]);
  });

  it('accepts a CSV digest change with skipFileChecksums, still validating rows', async () => {
    const report = await downloadWineData({
      dest,
      url: `${base}/wine.zip`,
      archive: spec({ white: { sha256: 'f'.repeat(64) } }),
      skipFileChecksums: true,
    });
    expect(report.files.find((f) => f.name === 'winequality-white.csv')?.checksumPinned).toBe(
      false,
    );
  });
});
