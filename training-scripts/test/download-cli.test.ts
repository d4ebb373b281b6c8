/**
 * The data:download CLI as a user runs it (built dist, child process) against a loopback
 * server: help text, and a checksum failure that exits non-zero and writes nothing.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { builtCli, runNode } from './cli-harness';

const cli = builtCli('download-data');
// Runs the built CLI; builtCli() warns when dist is missing and throws under REQUIRE_REAL_SERVICES=1.
const itBuilt = cli === undefined ? it.skip : it;
const ZIP = zipSync({ 'winequality-red.csv': strToU8('x'), 'winequality-white.csv': strToU8('y') });

let server: Server;
let base: string;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'download-cli-'));
  server = createServer((_req, res) => res.end(ZIP));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

itBuilt('explains itself with --help', async () => {
  const result = await runNode(cli!, ['--help']);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/--dest <dir>/);
  expect(result.stdout).toMatch(/--sha256 <hex>/);
  expect(result.stdout).toMatch(/static\/public\/186\/wine\+quality\.zip/);
});

itBuilt('exits 1 on a checksum mismatch and writes nothing', async () => {
  const dest = path.join(tmp, 'data');
  const result = await runNode(cli!, [
    '--dest',
    dest,
    '--url',
    `${base}/wine.zip`,
    '--sha256',
    'a'.repeat(64),
  ]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /error \[DATA_CHECKSUM_MISMATCH\]: archive sha256 [0-9a-f]{64} differs/,
  );
  expect(await readdir(dest).catch(() => [])).toEqual([]);
});

itBuilt('rejects a malformed --sha256', async () => {
  const result = await runNode(cli!, ['--sha256', 'nope']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/--sha256 must be 64 hex digits/);
});
