/**
 * Artifact downloads against a hostile or slow server: a loopback server speaking MLflow's
 * artifact-proxy protocol (artifact-server.ts) produces the cases a real MLflow server cannot.
 * The normal path runs against the real server in client.integ.test.ts.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMlflowClient, type DownloadLimits } from '../src';
import { startArtifactServer, trickle, type ArtifactServer } from './artifact-server';
import type { ArtifactServerBehaviour, ListedEntry } from './artifact-server';

const URI = 'mlflow-artifacts:/1/run/artifacts';
const ROOT = '1/run/artifacts';

let work: string;
let server: ArtifactServer | undefined;

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'mlflow-artifacts-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(work, { recursive: true, force: true });
});

async function clientFor(
  behaviour: ArtifactServerBehaviour,
  options: { timeoutMs?: number; downloadLimits?: Partial<DownloadLimits> } = {},
) {
  server = await startArtifactServer(behaviour);
  return createMlflowClient({ trackingUri: server.url, retries: 0, ...options });
}

/** Every file under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const listing =
  (entries: Record<string, ListedEntry[]>) =>
  (dir: string): ListedEntry[] | undefined =>
    entries[dir];

describe('hostile listings', () => {
  it('refuses an entry that lists its own directory ({path: "", is_dir: true}) instead of looping', async () => {
    const client = await clientFor({ list: () => [{ path: '', is_dir: true }] });
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_UNSAFE_ARTIFACT',
      message: expect.stringContaining('""'),
    });
    expect(server?.requests).toEqual([`LIST ${ROOT}`]);
  }, 5000);

  it.each([
    ['.', true],
    ['..', true],
    ['..', false],
    ['..\\..\\evil.txt', false],
    ['sub\\model.json', false],
    ['a/../../../evil.txt', false],
    ['nested/name', false],
    ['nul\0.txt', false],
  ])('refuses the entry %j (is_dir %s) and writes nothing', async (name, isDir) => {
    const client = await clientFor({
      files: { [`${ROOT}/ok.txt`]: 'fine' },
      list: (dir) =>
        dir === ROOT
          ? [
              { path: 'ok.txt', is_dir: false, file_size: 4 },
              { path: name, is_dir: isDir },
            ]
          : [],
    });
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_UNSAFE_ARTIFACT',
    });
    expect(await tree(work)).toEqual([]);
    expect(await readdir(path.dirname(work))).not.toContain('evil.txt');
  });

  it('refuses a name listed twice (two downloads racing for one file)', async () => {
    const client = await clientFor({
      list: () => [
        { path: 'model.json', is_dir: false, file_size: 2 },
        { path: 'model.json', is_dir: true },
      ],
    });
    await expect(client.listArtifacts(URI)).rejects.toMatchObject({
      code: 'MLFLOW_UNSAFE_ARTIFACT',
      message: expect.stringContaining('twice'),
    });
  });

  it('ends a directory that contains itself forever at maxDepth', async () => {
    const client = await clientFor(
      { list: () => [{ path: 'again', is_dir: true }] },
      { downloadLimits: { maxDepth: 5 } },
    );
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_ARTIFACT_TOO_LARGE',
      message: expect.stringMatching(/maxDepth \(5\)/),
    });
    expect(server?.requests).toHaveLength(6);
  }, 5000);

  it('caps the number of files (and directories) a listing may return', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`${ROOT}/f${i}.txt`, 'x']),
    );
    const client = await clientFor({ files }, { downloadLimits: { maxFiles: 20 } });
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_ARTIFACT_TOO_LARGE',
      message: expect.stringMatching(/maxFiles \(20\)/),
    });
    expect(server?.requests.filter((r) => r.startsWith('GET'))).toEqual([]);
    // The same listing passes with the default cap.
    expect(await client.downloadArtifacts(URI, work, { limits: { maxFiles: 30 } })).toHaveLength(
      30,
    );
  });
});

describe('byte caps', () => {
  const big = 'x'.repeat(64 * 1024);

  it('refuses before downloading when the listed sizes exceed maxBytes', async () => {
    const client = await clientFor(
      { files: { [`${ROOT}/a.bin`]: big, [`${ROOT}/b.bin`]: big } },
      { downloadLimits: { maxBytes: 100_000 } },
    );
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_ARTIFACT_TOO_LARGE',
      message: expect.stringMatching(/maxBytes \(100000 bytes\)/),
    });
    expect(server?.requests.filter((r) => r.startsWith('GET'))).toEqual([]);
  });

  it('stops a body that is larger than its listing said, leaving no partial file', async () => {
    const client = await clientFor(
      {
        list: listing({ [ROOT]: [{ path: 'small.bin', is_dir: false, file_size: 10 }] }),
        // No Content-Length: the server streams 1 MB while the listing said 10 bytes.
        download: (_path, res) => {
          trickle(res, big, 16, 1);
          return true;
        },
      },
      { downloadLimits: { maxBytes: 200_000 } },
    );
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_ARTIFACT_TOO_LARGE',
    });
    expect(await tree(work)).toEqual([]);
  });

  it('caps readArtifact too', async () => {
    const client = await clientFor(
      { files: { [`${ROOT}/a.bin`]: big } },
      { downloadLimits: { maxBytes: 1000 } },
    );
    await expect(client.readArtifact(URI, 'a.bin')).rejects.toMatchObject({
      code: 'MLFLOW_ARTIFACT_TOO_LARGE',
    });
    expect((await client.readArtifact(URI, 'a.bin', { maxBytes: 1 << 20 })).length).toBe(
      big.length,
    );
  });
});

describe('body deadlines', () => {
  const slowFile = (chunks: number, everyMs: number): ArtifactServerBehaviour => ({
    list: listing({ [ROOT]: [{ path: 'model.json', is_dir: false, file_size: chunks }] }),
    download: (_path, res) => {
      trickle(res, 'x', chunks, everyMs, { 'content-length': chunks });
      return true;
    },
  });

  it('streams a body for longer than the per-attempt timeout (headers came in time)', async () => {
    // 12 bytes, one every 100 ms: ~1.2 s of body against a 300 ms request timeout.
    const client = await clientFor(slowFile(12, 100), { timeoutMs: 300 });
    const [file] = await client.downloadArtifacts(URI, work);
    expect(await readFile(file ?? '', 'utf8')).toBe('x'.repeat(12));
  });

  it('gives up on a body past bodyTimeoutMs, saying which limit to raise', async () => {
    const client = await clientFor(slowFile(1000, 50), {
      timeoutMs: 1000,
      downloadLimits: { bodyTimeoutMs: 400 },
    });
    const started = Date.now();
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_TIMEOUT',
      message: expect.stringMatching(/bodyTimeoutMs \(400 ms\)/),
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await tree(work)).toEqual([]);
  });

  it('abandons a body that stalls (no byte for stallTimeoutMs)', async () => {
    const client = await clientFor(
      {
        list: listing({ [ROOT]: [{ path: 'model.json', is_dir: false, file_size: 10 }] }),
        download: (_path, res) => {
          res.writeHead(200, { 'content-length': 10 });
          res.write('12345'); // …and the other five bytes never come
          return true;
        },
      },
      { timeoutMs: 5000, downloadLimits: { stallTimeoutMs: 300 } },
    );
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_TIMEOUT',
      message: expect.stringMatching(/stalled: no data for 300 ms/),
    });
  });

  it('reports a connection dropped mid-body as a connection error, not a local write error', async () => {
    const client = await clientFor({
      list: listing({ [ROOT]: [{ path: 'model.json', is_dir: false, file_size: 100 }] }),
      download: (_path, res) => {
        res.writeHead(200, { 'content-length': 100 });
        res.write('only part of it');
        setTimeout(() => res.socket?.destroy(), 20);
        return true;
      },
    });
    await expect(client.downloadArtifacts(URI, work)).rejects.toMatchObject({
      code: 'MLFLOW_CONNECTION_ERROR',
      message: expect.stringMatching(/broke off/),
    });
    expect(await tree(work)).toEqual([]);
  });
});
