/**
 * Fetches the UCI wine archive, verifies it, and writes the two CSVs into a directory.
 * Nothing is written unless every check passes; each file lands via tmp file + rename.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { DataError, UCI_WINE_ARCHIVE, WINE_TYPES, parseWineCsv } from '@wine/model';
import type { UciWineArchive, WineType } from '@wine/model';

/** Far above the real archive (~0.1 MB zipped, ~0.35 MB unzipped): refuses runaway or bomb input. */
const MAX_BYTES = 64 * 1024 * 1024;

export interface DownloadOptions {
  /** Directory that receives winequality-red.csv and winequality-white.csv (and winequality.names). */
  dest: string;
  url?: string;
  /** Replace files that are already there. */
  force?: boolean;
  /** What to expect; defaults to the official archive's pins. */
  archive?: UciWineArchive;
  /** Required sha256 of the zip, overriding `archive.sha256`. */
  archiveSha256?: string | null;
  /** Accept CSVs whose sha256 differs from the pinned one (they are still parsed and row-counted). */
  skipFileChecksums?: boolean;
  fetch?: typeof fetch;
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
}

export interface DownloadedFile {
  name: string;
  path: string;
  bytes: number;
  sha256: string;
  rows?: number;
  checksumPinned: boolean;
}

export interface DownloadReport {
  status: 'downloaded' | 'already-present';
  url: string;
  archiveBytes: number;
  archiveSha256: string;
  /** True when the archive digest was compared with a pinned/required value. */
  archiveVerified: boolean;
  files: DownloadedFile[];
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Reads the response body, reporting progress and refusing bodies over MAX_BYTES. */
export async function fetchArchive(
  url: string,
  fetchImpl: typeof fetch,
  onProgress?: DownloadOptions['onProgress'],
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetchImpl(url, { redirect: 'follow' });
  } catch (err) {
    const why =
      err instanceof Error
        ? err.cause instanceof Error
          ? err.cause.message
          : err.message
        : String(err);
    throw new DataError('DATA_DOWNLOAD_FAILED', `cannot reach ${url}: ${why}`, { cause: err });
  }
  if (!response.ok || response.body === null) {
    throw new DataError(
      'DATA_DOWNLOAD_FAILED',
      `${url} answered HTTP ${response.status} ${response.statusText}`,
    );
  }
  const header = Number(response.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  // undici's ReadableStream yields Uint8Array chunks; Node's typings leave them untyped.
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    received += chunk.byteLength;
    if (received > MAX_BYTES) {
      throw new DataError(
        'DATA_DOWNLOAD_FAILED',
        `${url} sent more than ${MAX_BYTES} bytes; not the wine archive`,
      );
    }
    chunks.push(chunk);
    onProgress?.(received, total);
  }
  return Buffer.concat(chunks);
}

/** Unzips and checks every CSV (pinned sha256, parse with zero rejections, row count). */
export function verifyArchive(
  zip: Uint8Array,
  spec: UciWineArchive,
  opts: { skipFileChecksums?: boolean } = {},
): Map<string, Uint8Array> {
  const wanted = new Set([...WINE_TYPES.map((t) => spec.files[t].name), ...spec.extras]);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (f) => wanted.has(path.posix.basename(f.name)) && f.originalSize <= MAX_BYTES,
    });
  } catch (err) {
    throw new DataError('DATA_DOWNLOAD_FAILED', `the download is not a readable zip archive`, {
      cause: err,
    });
  }
  const byName = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(entries)) byName.set(path.posix.basename(name), data);
  for (const type of WINE_TYPES) verifyCsv(byName, type, spec, opts.skipFileChecksums === true);
  return byName;
}

function verifyCsv(
  byName: Map<string, Uint8Array>,
  type: WineType,
  spec: UciWineArchive,
  skipChecksum: boolean,
): void {
  const expected = spec.files[type];
  const data = byName.get(expected.name);
  if (data === undefined) {
    throw new DataError(
      'DATA_DOWNLOAD_FAILED',
      `the archive has no ${expected.name}; found ${[...byName.keys()].join(', ') || 'nothing relevant'}`,
    );
  }
  const digest = sha256Hex(data);
  if (!skipChecksum && digest !== expected.sha256) {
    throw new DataError(
      'DATA_CHECKSUM_MISMATCH',
      `${expected.name}: sha256 ${digest} (${data.byteLength} bytes) differs from the pinned ` +
        `${expected.sha256} (${expected.bytes} bytes). Nothing was written. If UCI republished ` +
        'the data, re-run with --skip-file-checksums (rows are still validated) and update the pin.',
    );
  }
  const result = parseWineCsv(Buffer.from(data).toString('utf8'), {
    file: expected.name,
    wineType: type,
    onInvalidRow: 'fail',
  });
  if (result.records.length !== expected.rows) {
    throw new DataError(
      'DATA_INVALID_VALUE',
      `${expected.name}: ${result.records.length} rows, expected ${expected.rows}. Nothing was written.`,
    );
  }
}

/** Writes each file as a hidden tmp file in `dest`, then renames it into place. */
async function writeAtomically(dest: string, files: Map<string, Uint8Array>): Promise<void> {
  await mkdir(dest, { recursive: true });
  const staged: [string, string][] = [];
  try {
    for (const [name, data] of files) {
      const tmp = path.join(dest, `.${name}.${process.pid}.tmp`);
      await writeFile(tmp, data);
      staged.push([tmp, path.join(dest, name)]);
    }
    for (const [tmp, final] of staged) await rename(tmp, final);
  } finally {
    await Promise.all(staged.map(([tmp]) => rm(tmp, { force: true })));
  }
}

export async function downloadWineData(opts: DownloadOptions): Promise<DownloadReport> {
  const spec = opts.archive ?? UCI_WINE_ARCHIVE;
  const url = opts.url ?? spec.url;
  const targets = WINE_TYPES.map((t) => path.join(opts.dest, spec.files[t].name));
  if (opts.force !== true && (await Promise.all(targets.map(exists))).every(Boolean)) {
    return {
      status: 'already-present',
      url,
      archiveBytes: 0,
      archiveSha256: '',
      archiveVerified: false,
      files: [],
    };
  }
  const zip = await fetchArchive(url, opts.fetch ?? fetch, opts.onProgress);
  const archiveSha256 = sha256Hex(zip);
  const required = opts.archiveSha256 === undefined ? spec.sha256 : opts.archiveSha256;
  if (required !== null && archiveSha256 !== required.toLowerCase()) {
    throw new DataError(
      'DATA_CHECKSUM_MISMATCH',
      `archive sha256 ${archiveSha256} differs from the expected ${required.toLowerCase()} (${url}). Nothing was written.`,
    );
  }
  const contents = verifyArchive(zip, spec, { skipFileChecksums: opts.skipFileChecksums ?? false });
  await writeAtomically(opts.dest, contents);
  const csvNames = new Map(WINE_TYPES.map((t) => [spec.files[t].name, spec.files[t]]));
  const files = [...contents].map(([name, data]): DownloadedFile => {
    const csv = csvNames.get(name);
    const sha256 = sha256Hex(data);
    return {
      name,
      path: path.join(opts.dest, name),
      bytes: data.byteLength,
      sha256,
      ...(csv === undefined ? {} : { rows: csv.rows }),
      checksumPinned: csv !== undefined && csv.sha256 === sha256,
    };
  });
  return {
    status: 'downloaded',
    url,
    archiveBytes: zip.byteLength,
    archiveSha256,
    archiveVerified: required !== null,
    files,
  };
}
