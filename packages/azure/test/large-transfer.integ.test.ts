/**
 * A 1 GiB dataset through Azurite and back with the production settings (8 MiB blocks, 4 in
 * flight): upload with Content-MD5 + sha256, verified download, and memory that stays flat —
 * the process never holds more than a few blocks. Costs ≈ 1.5 min on the shared 2-core machine
 * (upload ≈ 50 s, download ≈ 25 s: Azurite writes every block to disk) and 3 GiB of temporary disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { copyLocation, createStorage, parseLocation } from '@wine/azure';
import { describeWithAzurite, startAzurite, type Azurite } from '@wine/azure/testing';

const MIB = 1 << 20;
const SIZE_MIB = 1024;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * MIB }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describeWithAzurite('a 1 GiB dataset through Azurite', () => {
  let azurite: Azurite;
  let work: string;

  beforeAll(async () => {
    azurite = await startAzurite();
    await BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('datasets')
      .create();
    work = await mkdtemp(path.join(tmpdir(), 'wine-1g-'));
  });
  afterAll(async () => {
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('uploads and downloads streamed, verified, with flat memory', async () => {
    const source = path.join(work, 'big.csv');
    const block = randomBytes(MIB);
    const hash = createHash('sha256');
    // Each MiB differs (its index in front), so a reordered or repeated block changes the sha256.
    function* chunks(): Generator<Buffer> {
      for (let i = 0; i < SIZE_MIB; i++) {
        const chunk = Buffer.from(block);
        chunk.writeUInt32BE(i, 0);
        hash.update(chunk);
        yield chunk;
      }
    }
    await pipeline(chunks(), createWriteStream(source));
    const expected = hash.digest('hex');

    const storage = createStorage({ env: azurite.env });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    try {
      const started = Date.now();
      const [up] = await copyLocation(
        storage,
        parseLocation(source),
        parseLocation('az://datasets/big/big.csv'),
      );
      const uploadS = (Date.now() - started) / 1000;
      expect(up).toMatchObject({ bytes: SIZE_MIB * MIB, sha256: expected });
      const info = await storage.stat(parseLocation('az://datasets/big/big.csv'));
      expect(info).toMatchObject({ size: SIZE_MIB * MIB, sha256: expected, contentMd5: up?.md5 });

      const target = path.join(work, 'back.csv');
      const again = Date.now();
      const [down] = await copyLocation(
        storage,
        parseLocation('az://datasets/big/big.csv'),
        parseLocation(target),
      );
      const downloadS = (Date.now() - again) / 1000;
      expect(down).toMatchObject({ verified: true, sha256: expected });
      expect((await stat(target)).size).toBe(SIZE_MIB * MIB);
      expect(await sha256Of(target)).toBe(expected);
      console.info(
        `1 GiB via Azurite: upload ${uploadS.toFixed(1)} s, download ${downloadS.toFixed(1)} s, ` +
          `peak RSS +${((peak - baseline) / MIB).toFixed(0)} MiB`,
      );
    } finally {
      clearInterval(sampler);
    }
    // Blocks in flight (4 × 8 MiB) plus stream buffers and GC slack; a buffered copy would be > 1 GiB.
    expect(peak - baseline).toBeLessThan(300 * MIB);
  }, 300_000);
});
