/**
 * `pnpm run data` and `pnpm run train` with az:// locations on Azurite, as users run them
 * (built CLIs, child processes): upload records Content-MD5 + sha256, ls shows them,
 * download is verified, and train reads its data straight from a prefix. ≈ 15 s.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeWithAzurite, startAzurite, type Azurite } from '@wine/azure/testing';
import { builtCli, runNode } from './cli-harness';
import { syntheticCsv } from './synthetic-wine';

const data = builtCli('data');
const train = builtCli('train');

describeWithAzurite('data and train CLIs with az://', () => {
  let azurite: Azurite;
  let work: string;

  beforeAll(async () => {
    azurite = await startAzurite({ containers: ['datasets'] });
    work = await mkdtemp(path.join(os.tmpdir(), 'wine-data-cli-'));
    await mkdir(path.join(work, 'data'));
    await writeFile(path.join(work, 'data', 'winequality-red.csv'), syntheticCsv(300, 1));
    await writeFile(path.join(work, 'data', 'winequality-white.csv'), syntheticCsv(300, 2));
  });
  afterAll(async () => {
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('uploads a folder, lists it with checksums, downloads it verified', async () => {
    if (data === undefined) return;
    const up = await runNode(
      data,
      ['upload', path.join(work, 'data'), 'az://datasets/wine/', '--json'],
      azurite.env,
    );
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const uploaded = JSON.parse(up.stdout) as {
      files: { to: string; sha256: string; bytes: number }[];
    };
    expect(uploaded.files.map((f) => f.to)).toEqual([
      'az://datasets/wine/winequality-red.csv',
      'az://datasets/wine/winequality-white.csv',
    ]);

    const ls = await runNode(data, ['ls', 'az://datasets/wine/', '--json'], azurite.env);
    const listed = JSON.parse(ls.stdout) as { location: string; sha256: string; md5: string }[];
    expect(listed.map((o) => o.sha256)).toEqual(uploaded.files.map((f) => f.sha256));
    expect(listed.every((o) => o.md5.length === 24)).toBe(true);
    const text = await runNode(data, ['ls', 'az://datasets/wine/'], azurite.env);
    expect(text.stdout).toContain(
      `${uploaded.files[0]?.sha256 ?? '?'}  az://datasets/wine/winequality-red.csv`,
    );

    const down = await runNode(
      data,
      ['download', 'az://datasets/wine/', path.join(work, 'copy') + '/'],
      azurite.env,
    );
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('(verified)');
    expect(await readFile(path.join(work, 'copy', 'winequality-white.csv'), 'utf8')).toBe(
      await readFile(path.join(work, 'data', 'winequality-white.csv'), 'utf8'),
    );

    const missing = await runNode(
      data,
      ['download', 'az://datasets/nothing/', path.join(work, 'x')],
      azurite.env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(
      /^error \[LOCATION_NOT_FOUND\]: az:\/\/datasets\/nothing\//,
    );
  }, 60_000);

  it('trains on az://datasets/wine/ like on the local folder', async () => {
    if (train === undefined || data === undefined) return;
    await runNode(data, ['upload', path.join(work, 'data'), 'az://datasets/wine2/'], azurite.env);
    const space = '{"max_depth": [2, 3]}';
    const fromBlob = await runNode(
      train,
      [
        '--data',
        'az://datasets/wine2/',
        '--space',
        space,
        '--output',
        path.join(work, 'm-az'),
        '--json',
      ],
      azurite.env,
    );
    expect(fromBlob.code).toBe(0);
    const local = await runNode(
      train,
      [
        '--data',
        path.join(work, 'data'),
        '--space',
        space,
        '--output',
        path.join(work, 'm-local'),
        '--json',
      ],
      azurite.env,
    );
    const a = JSON.parse(fromBlob.stdout.trim().split('\n').pop() ?? '{}') as { best: unknown };
    const b = JSON.parse(local.stdout.trim().split('\n').pop() ?? '{}') as { best: unknown };
    expect(a.best).toEqual(b.best);
    // Same bytes in, same model out: the two model.json files are identical.
    expect(await readFile(path.join(work, 'm-az', 'model.json'), 'utf8')).toBe(
      await readFile(path.join(work, 'm-local', 'model.json'), 'utf8'),
    );
  }, 120_000);
});
