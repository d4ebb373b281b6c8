#!/usr/bin/env node
/** `pnpm run data:download`: the official UCI wine archive → verified CSVs in ./data/. */
import path from 'node:path';
import { Command } from 'commander';
import { ModelError, UCI_WINE_ARCHIVE } from '@wine/model';
import { downloadWineData } from '../download/download-wine-data';
import type { DownloadReport } from '../download/download-wine-data';
import { createProgress } from './progress';
import { runCli } from './run-cli';

function program(): Command {
  return new Command('download-data')
    .description(
      'Download the UCI Wine Quality archive (dataset 186), verify it and write ' +
        'winequality-red.csv and winequality-white.csv into a directory.',
    )
    .option('--dest <dir>', 'directory to write (git-ignored ./data by default)', 'data')
    .option('--url <url>', 'archive URL', UCI_WINE_ARCHIVE.url)
    .option(
      '--sha256 <hex>',
      'require this sha256 for the zip (none is pinned for the official archive)',
    )
    .option('--force', 'download again even when both CSVs are already present')
    .option(
      '--skip-file-checksums',
      'accept CSVs whose sha256 differs from the pinned one (rows are still validated)',
    )
    .addHelpText(
      'after',
      '\nChecks: each CSV must match its pinned sha256 (the original UCI files), parse without a\n' +
        'rejected row and have 1,599 (red) / 4,898 (white) rows; otherwise nothing is written.\n' +
        '\nExamples:\n  pnpm run data:download\n  pnpm run data:download --dest /tmp/wine --force\n' +
        '\nAfterwards: WINE_DATA_DIR=./data pnpm test, or pnpm run train --data ./data',
    );
}

function summary(report: DownloadReport, dest: string): string {
  if (report.status === 'already-present') {
    return `${dest} already holds the wine CSVs; nothing downloaded (use --force to fetch again).`;
  }
  const lines = [
    `downloaded ${report.url} (${report.archiveBytes} bytes)`,
    `archive sha256 ${report.archiveSha256} ${report.archiveVerified ? '(verified)' : '(not pinned: record it and pass --sha256 next time)'}`,
    ...report.files.map(
      (f) =>
        `wrote ${f.path} (${f.bytes} bytes${f.rows === undefined ? '' : `, ${f.rows} rows`}, sha256 ${f.sha256}` +
        `${f.rows === undefined ? '' : f.checksumPinned ? ', matches pin' : ', NOT the pinned digest'})`,
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = program().parse().opts<{
    dest: string;
    url: string;
    sha256?: string;
    force?: boolean;
    skipFileChecksums?: boolean;
  }>();
  if (opts.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.sha256)) {
    throw new ModelError('PARAMS_INVALID', `--sha256 must be 64 hex digits, got "${opts.sha256}"`);
  }
  const dest = path.resolve(opts.dest);
  const progress = createProgress('download');
  let report: DownloadReport;
  try {
    report = await downloadWineData({
      dest,
      url: opts.url,
      force: opts.force === true,
      skipFileChecksums: opts.skipFileChecksums === true,
      ...(opts.sha256 === undefined ? {} : { archiveSha256: opts.sha256 }),
      onProgress: (received, total) => {
        if (total !== undefined)
          progress.update(received, total, `${(received / 1e6).toFixed(2)} MB`);
      },
    });
  } finally {
    progress.stop();
  }
  console.log(summary(report, dest));
}

runCli(main);
