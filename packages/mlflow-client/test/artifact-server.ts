import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP server speaking the MLflow tracking server's artifact-proxy protocol
 * (mlflow/server/handlers.py, 3.17.2: `_list_artifacts_mlflow_artifacts`,
 * `_download_artifact`), for the hostile cases a real server cannot be made to produce: a
 * listing that names itself, `..` or backslash entries, endless nesting, lying sizes, bodies
 * that trickle, stall or break off. Normal downloads are tested against the real server
 * (client.integ.test.ts).
 *
 *   GET /api/2.0/mlflow-artifacts/artifacts?path=<dir>  → {"files":[{path,is_dir,file_size}]}
 *       (bare names; `{}` for a missing directory or a file)
 *   GET /api/2.0/mlflow-artifacts/artifacts/<path>      → the bytes, or 404 RESOURCE_DOES_NOT_EXIST
 */

export interface ListedEntry {
  readonly path: string;
  readonly is_dir: boolean;
  readonly file_size?: number;
}

export interface ArtifactServerBehaviour {
  /** Files by proxy path (`1/run/artifacts/model.json`); directories are implied. */
  readonly files?: Readonly<Record<string, string | Buffer>>;
  /** Replaces the listing of `dir` (return undefined to list the files above). */
  readonly list?: (dir: string) => ListedEntry[] | undefined;
  /** Replaces the download of `path` (return false to serve the files above). */
  readonly download?: (path: string, res: ServerResponse) => boolean | Promise<boolean>;
}

export interface ArtifactServer {
  readonly url: string;
  /** Requests seen, e.g. `LIST 1/run/artifacts` or `GET 1/run/artifacts/model.json`. */
  readonly requests: string[];
  close(): Promise<void>;
}

const PREFIX = '/api/2.0/mlflow-artifacts/artifacts';

function listFromFiles(
  files: Readonly<Record<string, string | Buffer>>,
  dir: string,
): ListedEntry[] {
  const prefix = dir === '' ? '' : `${dir}/`;
  const entries = new Map<string, ListedEntry>();
  for (const [path, content] of Object.entries(files)) {
    if (!path.startsWith(prefix)) continue;
    const [name, ...rest] = path.slice(prefix.length).split('/');
    if (name === undefined || name === '') continue;
    entries.set(
      name,
      rest.length > 0
        ? { path: name, is_dir: true }
        : { path: name, is_dir: false, file_size: Buffer.byteLength(content) },
    );
  }
  return [...entries.values()];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startArtifactServer(
  behaviour: ArtifactServerBehaviour,
): Promise<ArtifactServer> {
  const files = behaviour.files ?? {};
  const requests: string[] = [];
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || !url.pathname.startsWith(PREFIX)) {
      json(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'not an artifact route' });
      return;
    }
    if (url.pathname === PREFIX) {
      const dir = url.searchParams.get('path') ?? '';
      requests.push(`LIST ${dir}`);
      const listed = behaviour.list?.(dir) ?? listFromFiles(files, dir);
      json(res, 200, listed.length === 0 ? {} : { files: listed });
      return;
    }
    const path = decodeURIComponent(url.pathname.slice(PREFIX.length + 1));
    requests.push(`GET ${path}`);
    if (behaviour.download && (await behaviour.download(path, res))) return;
    const content = files[path];
    if (content === undefined) {
      json(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `${path} not found` });
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': Buffer.byteLength(content),
    });
    res.end(content);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Writes `chunks` pieces of `chunk` every `everyMs`, then ends (or never ends with Infinity). */
export function trickle(
  res: ServerResponse,
  chunk: string,
  chunks: number,
  everyMs: number,
  headers: Record<string, string | number> = {},
): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    res.write(chunk);
    if (++sent >= chunks) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
  res.on('close', () => {
    clearInterval(timer);
  });
}
