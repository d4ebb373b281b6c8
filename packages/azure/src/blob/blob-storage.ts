/**
 * Storage for az:// locations on one account. Reads are ranged download streams that the SDK
 * resumes after a dropped connection (maxRetryRequests); writes go through BlockWriter.
 */
import { Readable } from 'node:stream';
import type { BlobServiceClient } from '@azure/storage-blob';
import { formatLocation, type AzLocation, type Location } from '../location';
import type { ByteRange, ObjectInfo, Storage, WriterOptions } from '../storage';
import { SHA256_METADATA_KEY } from '../storage';
import { BlockWriter, DEFAULT_BLOCK_SETTINGS, type BlockWriterSettings } from './block-writer';
import { blobError } from './errors';

/** Reconnects per download stream before it fails (the SDK resumes at the byte it reached). */
const DOWNLOAD_RETRIES = 5;

function az(location: Location): AzLocation {
  if (location.kind !== 'az') throw new TypeError('blob storage got a local location');
  return location;
}

export interface BlobStorageOptions {
  readonly blocks?: BlockWriterSettings;
}

export function createBlobStorage(
  service: BlobServiceClient,
  options: BlobStorageOptions = {},
): Storage {
  const account = service.url.replace(/\?.*$/, '');
  const blobOf = (l: AzLocation) =>
    service.getContainerClient(l.container).getBlockBlobClient(l.path);
  const describe = (l: Location) => `${formatLocation(l)} (${account})`;

  async function statAz(l: AzLocation): Promise<ObjectInfo | undefined> {
    if (l.path === '' || l.path.endsWith('/')) return undefined;
    try {
      const p = await blobOf(l).getProperties();
      const md5 =
        p.contentMD5 === undefined ? undefined : Buffer.from(p.contentMD5).toString('base64');
      const sha256 = p.metadata?.[SHA256_METADATA_KEY];
      return {
        location: l,
        name: l.path.slice(l.path.lastIndexOf('/') + 1),
        size: p.contentLength ?? 0,
        ...(md5 === undefined ? {} : { contentMd5: md5 }),
        ...(sha256 === undefined ? {} : { sha256 }),
      };
    } catch (error) {
      const e = blobError(error, describe(l), account);
      if (e.code === 'LOCATION_NOT_FOUND' && !/container does not exist/.test(e.message)) {
        return undefined;
      }
      throw e;
    }
  }

  return {
    async list(location) {
      const l = az(location);
      const single = await statAz(l);
      if (single !== undefined) return [single];
      const prefix = l.path === '' || l.path.endsWith('/') ? l.path : `${l.path}/`;
      const out: ObjectInfo[] = [];
      try {
        const container = service.getContainerClient(l.container);
        for await (const item of container.listBlobsFlat({ prefix, includeMetadata: true })) {
          const name = item.name.slice(prefix.length);
          // Hidden names mirror local temp files: never dataset input.
          if (name.split('/').some((part) => part.startsWith('.'))) continue;
          const md5 =
            item.properties.contentMD5 === undefined
              ? undefined
              : Buffer.from(item.properties.contentMD5).toString('base64');
          const sha256 = item.metadata?.[SHA256_METADATA_KEY];
          out.push({
            location: { kind: 'az', container: l.container, path: item.name },
            name,
            size: item.properties.contentLength ?? 0,
            ...(md5 === undefined ? {} : { contentMd5: md5 }),
            ...(sha256 === undefined ? {} : { sha256 }),
          });
        }
      } catch (error) {
        throw blobError(error, describe(l), account);
      }
      if (out.length === 0) {
        throw blobError(
          { statusCode: 404 },
          `${describe(l)}: no blob and nothing under it`,
          account,
        );
      }
      return out;
    },
    stat: (location) => statAz(az(location)),
    read(location, range?: ByteRange) {
      const l = az(location);
      const end = range?.end;
      if (end !== undefined && end <= (range?.start ?? 0)) return Readable.from([]);
      async function* body(): AsyncGenerator<Buffer> {
        let response;
        try {
          response = await blobOf(l).download(
            range?.start ?? 0,
            end === undefined ? undefined : end - (range?.start ?? 0),
            { maxRetryRequests: DOWNLOAD_RETRIES },
          );
        } catch (error) {
          throw blobError(error, describe(l), account);
        }
        const stream = response.readableStreamBody;
        if (stream === undefined) return;
        try {
          for await (const chunk of stream) yield chunk as Buffer;
        } catch (error) {
          throw blobError(error, describe(l), account);
        }
      }
      return Readable.from(body(), { objectMode: false });
    },
    writer(location, writerOptions?: WriterOptions) {
      const l = az(location);
      return new BlockWriter(
        blobOf(l),
        l,
        describe(l),
        writerOptions,
        options.blocks ?? DEFAULT_BLOCK_SETTINGS,
      );
    },
    async remove(location) {
      const l = az(location);
      try {
        await blobOf(l).deleteIfExists();
      } catch (error) {
        throw blobError(error, describe(l), account);
      }
    },
    describe,
  };
}
