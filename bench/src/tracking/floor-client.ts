/**
 * The server's own rate: the least a client can do to log the same runs. A recording fetch
 * captures the exact request bodies our client sends for each candidate run (runs/create,
 * runs/log-batch, runs/update); the floor replays them over node:http with a keep-alive
 * agent — prebuilt JSON, no validation, no retries, no parsing beyond the new run id — with
 * the same number of runs in flight. Whatever ours takes beyond the floor is client overhead.
 */
import http from 'node:http';

export interface RecordedRequest {
  readonly path: string;
  readonly body: string;
}

/** One candidate run: its runs/create body, then every later request naming its run id. */
export interface RecordedRun {
  readonly create: RecordedRequest;
  readonly runId: string;
  readonly rest: readonly RecordedRequest[];
}

export interface Recorder {
  readonly fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Group what was sent into runs, in the order of `runIds`. */
  runs(runIds: readonly string[]): RecordedRun[];
}

export function createRecorder(): Recorder {
  const sent: RecordedRequest[] = [];
  const createdIds = new Map<RecordedRequest, string>();
  return {
    async fetch(input, init) {
      const path = new URL(input).pathname;
      const body = typeof init.body === 'string' ? init.body : '';
      const request = { path, body };
      if (init.method === 'POST') sent.push(request);
      const response = await fetch(input, init);
      if (path.endsWith('/runs/create') && response.ok) {
        const reply = (await response.clone().json()) as { run: { info: { run_id: string } } };
        createdIds.set(request, reply.run.info.run_id);
      }
      return response;
    },
    runs(runIds) {
      return runIds.map((runId) => {
        const create = [...createdIds].find(([, id]) => id === runId)?.[0];
        if (create === undefined) throw new Error(`no runs/create recorded for run ${runId}`);
        const rest = sent.filter(
          (r) => r !== create && (JSON.parse(r.body) as { run_id?: string }).run_id === runId,
        );
        return { create, runId, rest };
      });
    },
  };
}

export interface FloorClient {
  /** Replays `runs` under `parentRunId` (instead of the recorded parent); returns seconds. */
  replay(
    runs: readonly RecordedRun[],
    parentRunId: string,
    recordedParent: string,
  ): Promise<number>;
  close(): void;
}

export function createFloorClient(
  trackingUri: string,
  concurrency: number,
  credentials?: { readonly username: string; readonly password: string },
): FloorClient {
  const authorization =
    credentials === undefined
      ? {}
      : {
          authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
        };
  const url = new URL(trackingUri);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

  function post(path: string, body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          agent,
          headers: {
            ...authorization,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (response.statusCode === 200) resolve(text);
            else reject(new Error(`floor ${path}: ${response.statusCode} ${text.slice(0, 200)}`));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  async function replayRun(run: RecordedRun, parentRunId: string, recordedParent: string) {
    const reply = await post(
      run.create.path,
      run.create.body.replaceAll(recordedParent, parentRunId),
    );
    const runId = (JSON.parse(reply) as { run: { info: { run_id: string } } }).run.info.run_id;
    for (const request of run.rest)
      await post(request.path, request.body.replaceAll(run.runId, runId));
  }

  return {
    async replay(runs, parentRunId, recordedParent) {
      const t0 = performance.now();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < runs.length) {
          const run = runs[next++];
          if (run !== undefined) await replayRun(run, parentRunId, recordedParent);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return (performance.now() - t0) / 1000;
    },
    close() {
      agent.destroy();
    },
  };
}
