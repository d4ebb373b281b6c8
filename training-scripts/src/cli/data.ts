#!/usr/bin/env node
/**
 * `pnpm run data -- upload|download|ls`: datasets between local disk and Blob storage, as
 * `az storage blob upload-batch / download-batch / list` would, with the platform's
 * locations (az://<container>/<path>). Uploads record Content-MD5 and a sha256 in the blob's
 * metadata; downloads are checked against both before they appear under their name.
 */
import { stat } from 'node:fs/promises';
import { Command } from 'commander';
import {
  copyLocation,
  createStorage,
  formatLocation,
  looksLikeFolder,
  parseLocation,
  type CopiedObject,
  type Location,
} from '@wine/azure';
import { createProgress } from './progress';
import { runCli } from './run-cli';

const MB = 1e6;

/** A target is a folder when spelt so (trailing /, az:// prefix) or when it is an existing directory. */
async function isFolder(raw: string, location: Location): Promise<boolean> {
  if (looksLikeFolder(location) || raw.endsWith('/')) return true;
  if (location.kind !== 'local') return false;
  return stat(location.path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function copy(from: string, to: string, json: boolean): Promise<void> {
  const storage = createStorage();
  const target = parseLocation(to);
  const bar = createProgress('copy', { enabled: !json });
  const started = performance.now();
  let copied: CopiedObject[];
  try {
    copied = await copyLocation(storage, parseLocation(from), target, {
      toIsFolder: await isFolder(to, target),
      onProgress: (done, total, file) => {
        bar.update(Math.floor(done / MB), Math.max(1, Math.ceil(total / MB)), `MB ${file}`);
      },
    });
  } finally {
    bar.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const files = copied.map((c) => ({
    from: formatLocation(c.from),
    to: formatLocation(c.location),
    bytes: c.bytes,
    sha256: c.sha256,
    md5: c.md5,
    verified: c.verified,
  }));
  if (json) {
    console.log(JSON.stringify({ files, seconds: Number(seconds.toFixed(3)) }));
    return;
  }
  for (const f of files) {
    console.log(`${f.to}  ${f.bytes} bytes  sha256 ${f.sha256}${f.verified ? '  (verified)' : ''}`);
  }
  const bytes = files.reduce((n, f) => n + f.bytes, 0);
  console.log(`${files.length} file(s), ${(bytes / MB).toFixed(1)} MB in ${seconds.toFixed(1)} s`);
}

async function list(at: string, json: boolean): Promise<void> {
  const listed = await createStorage().list(parseLocation(at));
  if (json) {
    console.log(
      JSON.stringify(
        listed.map((o) => ({
          location: formatLocation(o.location),
          bytes: o.size,
          sha256: o.sha256 ?? null,
          md5: o.contentMd5 ?? null,
        })),
      ),
    );
    return;
  }
  const width = Math.max(...listed.map((o) => String(o.size).length));
  for (const o of listed) {
    console.log(
      `${String(o.size).padStart(width)}  ${o.sha256 ?? '-'.padEnd(64)}  ${formatLocation(o.location)}`,
    );
  }
}

function program(): Command {
  const root = new Command('data')
    .description(
      'Datasets in Blob storage: upload, download (checksum-verified) and list. Locations: a local path or az://<container>/<path>.',
    )
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  pnpm run data -- upload ./data az://datasets/wine/\n' +
        '  pnpm run data -- upload ./data/winequality-red.csv az://datasets/wine/winequality-red.csv\n' +
        '  pnpm run data -- ls az://datasets/wine/\n' +
        '  pnpm run data -- download az://datasets/wine/ ./data-copy/\n' +
        '\nAccount: AZURE_STORAGE_ACCOUNT_URL (managed identity / az login) or AZURE_STORAGE_CONNECTION_STRING (Azurite, keys).',
    );
  root
    .command('upload <local> <target>')
    .description('Upload a file or every file of a folder (names kept under a target ending in /).')
    .option('--json', 'print one JSON object: {files: [{from, to, bytes, sha256, md5}], seconds}')
    .action(async (local: string, target: string, opts: { json?: boolean }) => {
      await copy(local, target, opts.json === true);
    });
  root
    .command('download <source> <local>')
    .description(
      'Download a blob or every blob under a prefix; each is checked against its sha256 / Content-MD5.',
    )
    .option('--json', 'print one JSON object: {files: [...], seconds}')
    .action(async (source: string, local: string, opts: { json?: boolean }) => {
      await copy(source, local, opts.json === true);
    });
  root
    .command('ls <location>')
    .description('List blobs (or files) with size and recorded sha256.')
    .option('--json', 'print a JSON array')
    .action(async (at: string, opts: { json?: boolean }) => {
      await list(at, opts.json === true);
    });
  return root;
}

runCli(async () => {
  await program().parseAsync();
});
