/**
 * Where the base wine data comes from, parsed from `--data` / PIPELINE_DATA. One reader per
 * kind (sources/readers.ts): a local folder, the UCI zip over https (checksums verified by
 * the download command's code), and `az://` — the seam the Azure data plane fills.
 */
import path from 'node:path';
import { PipelineError } from '../errors';

export type DataLocation =
  | { readonly kind: 'local'; readonly dir: string }
  | { readonly kind: 'https'; readonly url: string; readonly sha256?: string }
  | {
      readonly kind: 'az';
      readonly account: string;
      readonly container: string;
      readonly prefix: string;
    };

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
  if (value.startsWith('az://')) {
    // az://<account>/<container>/<prefix…>, the form the Azure CLI and adlfs use.
    const [account, container, ...rest] = value.slice('az://'.length).split('/');
    if (!account || !container) throw unsupported(raw, 'use az://<account>/<container>/<prefix>');
    return { kind: 'az', account, container, prefix: rest.join('/') };
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
      return `az://${location.account}/${location.container}/${location.prefix}`;
  }
}

function unsupported(raw: string, why: string): PipelineError {
  return new PipelineError(
    'PIPELINE_DATA_LOCATION_UNSUPPORTED',
    `data location "${raw}" is not understood: ${why}`,
  );
}
