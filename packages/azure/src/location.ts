/**
 * Dataset locations, written one way everywhere: a local path (or file://…), or
 * `az://<container>/<path>` — the container and blob path of the storage account the
 * environment names (AZURE_STORAGE_ACCOUNT_URL or AZURE_STORAGE_CONNECTION_STRING), the form
 * adlfs/fsspec and the Azure ML SDK use. A trailing `/` (or nothing after the container)
 * means a folder: every blob under that prefix. Pure: no IO here.
 */
import path from 'node:path';
import { AzureError } from './errors';

export type Location =
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'az'; readonly container: string; readonly path: string };

export type AzLocation = Extract<Location, { kind: 'az' }>;

/** Azure's container rule: 3–63 of a-z 0-9 -, starting and ending alphanumeric, no "--". */
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

export function parseLocation(raw: string, cwd: string = process.cwd()): Location {
  const value = raw.trim();
  if (value === '') throw invalid(raw, 'it is empty');
  if (/^az:\/\//i.test(value)) {
    const rest = value.slice('az://'.length);
    const slash = rest.indexOf('/');
    const container = slash < 0 ? rest : rest.slice(0, slash);
    const blobPath = slash < 0 ? '' : rest.slice(slash + 1);
    if (!CONTAINER.test(container)) {
      throw invalid(
        raw,
        `"${container}" is not a container name (3–63 lowercase letters, digits and single hyphens); write az://<container>/<path>`,
      );
    }
    if (blobPath.split('/').some((part, i, all) => part === '' && i < all.length - 1)) {
      throw invalid(raw, 'the blob path has an empty segment ("//")');
    }
    if (blobPath.split('/').some((part) => part === '.' || part === '..')) {
      throw invalid(raw, 'the blob path has a "." or ".." segment');
    }
    return { kind: 'az', container, path: blobPath };
  }
  if (value.startsWith('file://')) return { kind: 'local', path: new URL(value).pathname };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw invalid(raw, 'use a local path or az://<container>/<path>');
  }
  return { kind: 'local', path: path.resolve(cwd, value) };
}

export function isAzLocation(location: Location): location is AzLocation {
  return location.kind === 'az';
}

/** The location as users write it (az://container/path, or the absolute local path). */
export function formatLocation(location: Location): string {
  return location.kind === 'local' ? location.path : `az://${location.container}/${location.path}`;
}

/** True when the location names a folder/prefix by its spelling (az:// ending in / or bare container). */
export function looksLikeFolder(location: Location): boolean {
  return location.kind === 'az' && (location.path === '' || location.path.endsWith('/'));
}

/** `name` inside the folder `location` (a relative path with forward slashes). */
export function childLocation(location: Location, name: string): Location {
  if (location.kind === 'local') return { kind: 'local', path: path.join(location.path, name) };
  const base =
    location.path === '' || location.path.endsWith('/') ? location.path : `${location.path}/`;
  return { kind: 'az', container: location.container, path: `${base}${name}` };
}

/** The last path segment (the file or blob name). */
export function baseName(location: Location): string {
  if (location.kind === 'local') return path.basename(location.path);
  const trimmed = location.path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function invalid(raw: string, why: string): AzureError {
  return new AzureError('LOCATION_INVALID', `location "${raw}" is not understood: ${why}`);
}
