/**
 * The ceiling for the service benchmark: a bare node:http server (node:cluster, N workers)
 * doing only what cannot be skipped — read the body, JSON.parse, predict with the same tree,
 * JSON.stringify. No validation, metrics, logging or security headers.
 *
 * Usage: node ceiling-server.js <port> <model dir> <workers>
 */
import cluster from 'node:cluster';
import http from 'node:http';
import { readModelDir } from '@wine/model';
import type { WineRecord } from '@wine/model';

async function worker(port: number, dir: string): Promise<void> {
  const { model } = await readModelDir(dir);
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      chunks.push(c);
    });
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as
        WineRecord | { instances: WineRecord[] };
      const out =
        'instances' in body
          ? { predictions: model.predictRecords(body.instances) }
          : { quality: model.predictRecords([body])[0] };
      const text = JSON.stringify(out);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    });
  });
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

const [port = '0', dir = '', workers = '2'] = process.argv.slice(2);
if (cluster.isPrimary && Number(workers) > 1) {
  for (let i = 0; i < Number(workers); i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  });
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
} else {
  worker(Number(port), dir).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
