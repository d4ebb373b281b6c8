/**
 * Every Blob path of the data plane against a real Azurite: listing, ranged reads, atomic
 * block writes (nothing visible before commit, an aborted writer leaves the old blob),
 * checksummed upload and verified download, and the errors users see.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { AzureError, copyLocation, createStorage, parseLocation, type Storage } from '@wine/azure';
import { describeWithAzurite, startAzurite, type Azurite } from '@wine/azure/testing';

const CSV = 'a,b\n1,2\n3,4\n5,6\n';

describeWithAzurite('az:// storage on Azurite', () => {
  let azurite: Azurite;
  let storage: Storage;
  let service: BlobServiceClient;
  let work: string;

  beforeAll(async () => {
    azurite = await startAzurite();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    await service.getContainerClient('datasets').create();
    // Small blocks so the tests cross block boundaries with little data.
    storage = createStorage({ env: azurite.env, blocks: { blockBytes: 1024, concurrency: 2 } });
    work = await mkdtemp(path.join(tmpdir(), 'wine-azure-it-'));
  });
  afterAll(async () => {
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function put(location: string, body: string): Promise<void> {
    const writer = storage.writer(parseLocation(location));
    writer.stream.end(body);
    await writer.commit();
  }

  it('writes atomically: the blob appears only at commit, with Content-MD5 and sha256', async () => {
    const target = parseLocation('az://datasets/atomic/out.csv');
    await put('az://datasets/atomic/out.csv', 'old\n');
    const writer = storage.writer(target);
    const big = 'x'.repeat(5000) + '\n';
    writer.stream.write(big);
    writer.stream.write(big);
    await new Promise((r) => setTimeout(r, 100));
    // Blocks are staged, but readers still see the old content.
    expect(await text(storage.read(target))).toBe('old\n');
    const written = await writer.commit();
    expect(written.bytes).toBe(2 * big.length);
    expect(await text(storage.read(target))).toBe(big + big);
    const info = await storage.stat(target);
    expect(info).toMatchObject({
      size: 2 * big.length,
      sha256: written.sha256,
      contentMd5: written.md5,
    });
  });

  it('an aborted writer leaves the previous blob untouched', async () => {
    const target = parseLocation('az://datasets/atomic/kept.csv');
    await put('az://datasets/atomic/kept.csv', 'kept\n');
    const writer = storage.writer(target);
    writer.stream.write('y'.repeat(4000));
    await writer.abort();
    expect(await text(storage.read(target))).toBe('kept\n');
  });

  it('reads byte ranges and lists prefixes in name order, hiding dot-names', async () => {
    await put('az://datasets/wine/b.csv', CSV);
    await put('az://datasets/wine/a.csv', CSV);
    await put('az://datasets/wine/.tmp-partial', 'x');
    await put('az://datasets/wine/sub/c.csv', CSV);
    const listed = await storage.list(parseLocation('az://datasets/wine'));
    expect(listed.map((o) => o.name)).toEqual(['a.csv', 'b.csv', 'sub/c.csv']);
    expect(listed[0]?.size).toBe(CSV.length);
    expect(
      await text(storage.read(parseLocation('az://datasets/wine/a.csv'), { start: 4, end: 8 })),
    ).toBe('1,2\n');
    expect(await storage.list(parseLocation('az://datasets/wine/a.csv'))).toHaveLength(1);
  });

  it('uploads a folder and downloads it again, verified against the recorded checksums', async () => {
    const src = path.join(work, 'src');
    await rm(src, { recursive: true, force: true });
    await mkdir(path.join(src, 'nested'), { recursive: true });
    await writeFile(path.join(src, 'winequality-red.csv'), CSV);
    await writeFile(path.join(src, 'nested', 'white.csv'), CSV + '7,8\n');
    const up = await copyLocation(storage, parseLocation(src), parseLocation('az://datasets/up/'));
    expect(up.map((c) => c.location)).toEqual([
      parseLocation('az://datasets/up/nested/white.csv'),
      parseLocation('az://datasets/up/winequality-red.csv'),
    ]);
    const props = await service
      .getContainerClient('datasets')
      .getBlobClient('up/winequality-red.csv')
      .getProperties();
    expect(Buffer.from(props.contentMD5 ?? []).toString('base64')).toBe(up[1]?.md5);
    expect(props.metadata?.['sha256']).toBe(up[1]?.sha256);
    expect(props.contentType).toBe('text/csv');

    const dest = path.join(work, 'down');
    const down = await copyLocation(
      storage,
      parseLocation('az://datasets/up/'),
      parseLocation(dest),
    );
    expect(down.every((c) => c.verified)).toBe(true);
    expect(await readFile(path.join(dest, 'nested', 'white.csv'), 'utf8')).toBe(CSV + '7,8\n');
  });

  it('refuses a download whose bytes do not match the blob’s sha256, writing nothing', async () => {
    const blob = service.getContainerClient('datasets').getBlockBlobClient('tampered.csv');
    await blob.upload(CSV, CSV.length, { metadata: { sha256: '0'.repeat(64) } });
    const dest = path.join(work, 'tampered');
    await expect(
      copyLocation(
        storage,
        parseLocation('az://datasets/tampered.csv'),
        parseLocation(path.join(dest, 'x.csv')),
      ),
    ).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    expect(await readdir(dest).catch(() => [])).toEqual([]);
  });

  it('names the location in errors: missing blob, missing container, no account configured', async () => {
    await expect(storage.list(parseLocation('az://datasets/nothing-here/'))).rejects.toMatchObject({
      code: 'LOCATION_NOT_FOUND',
    });
    await expect(text(storage.read(parseLocation('az://datasets/missing.csv')))).rejects.toThrow(
      /az:\/\/datasets\/missing\.csv/,
    );
    await expect(storage.list(parseLocation('az://no-such-container/x/'))).rejects.toMatchObject({
      code: 'LOCATION_NOT_FOUND',
    });
    const unconfigured = createStorage({ env: {} });
    expect(() => unconfigured.read(parseLocation('az://datasets/a.csv'))).toThrow(AzureError);
    expect(() => unconfigured.read(parseLocation('az://datasets/a.csv'))).toThrow(
      /AZURE_STORAGE_ACCOUNT_URL.*AZURE_STORAGE_CONNECTION_STRING/,
    );
  });
});
