/** The ingest step's az:// reader on Azurite: the two UCI files of a prefix, byte for byte. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { copyLocation, createStorage, parseLocation } from '@wine/azure';
import { describeWithAzurite, startAzurite, type Azurite } from '@wine/azure/testing';
import { describeLocation, parseDataLocation } from '../src/sources/data-location';
import { readAzurePrefix } from '../src/sources/readers';
import { syntheticDataDir } from './services';

describeWithAzurite('pipeline data from az://', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite({ containers: ['datasets'] });
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it('reads az://<container>/<prefix>/ on the configured account', async () => {
    const dir = await syntheticDataDir(100);
    const storage = createStorage({ env: azurite.env });
    await copyLocation(storage, parseLocation(dir), parseLocation('az://datasets/wine/'));
    const location = parseDataLocation('az://datasets/wine/');
    expect(location).toEqual({ kind: 'az', container: 'datasets', prefix: 'wine/' });
    const source = await readAzurePrefix(location, storage);
    expect(source.location).toBe('az://datasets/wine/');
    for (const f of source.files) {
      const local = await readFile(path.join(dir, f.name));
      expect(f.sha256).toBe(createHash('sha256').update(local).digest('hex'));
    }
    await expect(
      readAzurePrefix(parseDataLocation('az://datasets/empty/'), storage),
    ).rejects.toMatchObject({
      code: 'PIPELINE_DATA_UNREADABLE',
    });
    expect(() => parseDataLocation('az://Bad_Container/x')).toThrow(/not a container name/);
    expect(describeLocation(location)).toBe('az://datasets/wine/');
  });
});
