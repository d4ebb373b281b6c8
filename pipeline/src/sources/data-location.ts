/**
 * Where the base wine data comes from, parsed from `--data` / PIPELINE_DATA. One reader per
 * kind (sources/readers.ts): a local folder, the UCI zip over https (checksums verified by
 * the download command's code), and `az://<container>/<prefix>` on the storage account the
 * environment names (@wine/azure: AZURE_STORAGE_ACCOUNT_URL or AZURE_STORAGE_CONNECTION_STRING).
 */
import path from 'node:path';
import { isAzureError, parseLocation } from '@wine/azure';
import { PipelineError } from '../errors';

export type DataLocation =
  | { readonly kind: 'local'; readonly dir: string }
  | { readonly kind: 'https'; readonly url: string; readonly sha256?: string }
  | { readonly kind: 'az'; readonly container: string; readonly prefix: string };

export function parseDataLocation(
  raw: string,
  options: { sha256?: string | undefined; cwd?: string } = {},
): DataLocation {
  const value = raw.trim();
  if (value.startsWith('https://')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw unsupported(raw, 'not a valid URL');
    }
    return {
      kind: 'https',
      url: url.toString(),
      ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }),
    };
  }
  if (/^az:\/\//i.test(value)) {
    try {
      const location = parseLocation(value);
      if (location.kind === 'az')
        return { kind: 'az', container: location.container, prefix: location.path };
    } catch (error) {
      if (isAzureError(error)) throw unsupported(raw, error.message);
      throw error;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith('file://')) {
    throw unsupported(raw, 'use a folder, file://…, https://… or az://…');
  }
  const dir = value.startsWith('file://') ? new URL(value).pathname : value;
  return { kind: 'local', dir: path.resolve(options.cwd ?? process.cwd(), dir) };
}

/** The location as shown in the run history (no secrets: SAS tokens are stripped). */
export function describeLocation(location: DataLocation): string {
  switch (location.kind) {
    case 'local':
      return location.dir;
    case 'https': {
      const url = new URL(location.url);
      url.search = '';
      return url.toString();
    }
    case 'az':
      return `az://${location.container}/${location.prefix}`;
  }
}

function unsupported(raw: string, why: string): PipelineError {
  return new PipelineError(
    'PIPELINE_DATA_LOCATION_UNSUPPORTED',
    `data location "${raw}" is not understood: ${why}`,
  );
}
