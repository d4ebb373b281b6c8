/**
 * Where simulated traffic goes. A target scores one wine and, when it can, takes delayed
 * feedback; the simulation loop knows nothing else about it, so another transport is one
 * more implementation of this interface (Redis Streams: stream-target.ts).
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { FEATURE_NAMES, type LabeledWineRecord } from '@wine/model';
import { createHttpClient, type HttpResponse } from './http-client';

export interface SendResult {
  readonly ok: boolean;
  /** HTTP status (200 for an entry a stream accepted), or 0 when no response came (refused, timeout). */
  readonly status: number;
  /** Id to attach feedback to (the service's request_id). */
  readonly requestId?: string;
  /** Error code from the body (`error.code`) or the transport ("timeout", "connection"). */
  readonly error?: string;
}

export interface SimulationTarget {
  /** e.g. "http://127.0.0.1:9696", for messages. */
  readonly description: string;
  /** false: no pacing (a file is written as fast as it can be). */
  readonly realtime: boolean;
  /** Checks the target is there before the run; throws with a message saying what to do. */
  preflight(): Promise<void>;
  /** Sends one wine; the target decides what of it travels (the service never sees quality). */
  send(row: LabeledWineRecord): Promise<SendResult>;
  /** Absent when the target cannot take feedback. */
  feedback?(requestId: string, quality: number): Promise<SendResult>;
  close(): Promise<void>;
}

export class TargetUnavailableError extends Error {
  readonly code = 'SIMULATE_TARGET_UNAVAILABLE';
}

function errorCode(response: HttpResponse): string | undefined {
  try {
    const body = JSON.parse(response.body) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

/** "timeout", or "connection" with the system error code when there is one (ECONNREFUSED…). */
function transportError(error: unknown): SendResult {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError') return { ok: false, status: 0, error: 'timeout' };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return {
    ok: false,
    status: 0,
    error: typeof code === 'string' ? `connection ${code}` : 'connection',
  };
}

/**
 * The prediction service's public API: POST /predict, POST /feedback (bearer FEEDBACK_TOKEN),
 * over keep-alive connections the client closes before the server's idle timeout would
 * (see http-client.ts; `idleTimeoutMs`, default 2 s).
 */
export function httpTarget(options: {
  readonly url: string;
  readonly feedbackToken?: string;
  readonly timeoutMs?: number;
  readonly idleTimeoutMs?: number;
}): SimulationTarget {
  const base = options.url.replace(/\/+$/, '');
  const timeout = options.timeoutMs ?? 10_000;
  const client = createHttpClient(
    options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs },
  );
  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    client.request(`${base}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      timeoutMs: timeout,
    });
  const failed = (response: HttpResponse): SendResult => ({
    ok: false,
    status: response.status,
    error: errorCode(response) ?? `http_${response.status}`,
  });
  return {
    description: base,
    realtime: true,
    async preflight() {
      let response: HttpResponse;
      try {
        response = await client.request(`${base}/ready`, { method: 'GET', timeoutMs: timeout });
      } catch (error) {
        throw new TargetUnavailableError(
          `no prediction service at ${base} (${error instanceof Error ? error.message : String(error)}): start it with \`pnpm start\` or pass --url`,
        );
      }
      if (response.status < 200 || response.status > 299) {
        throw new TargetUnavailableError(
          `${base}/ready answered ${response.status}: the service has no model loaded yet`,
        );
      }
    },
    async send(row) {
      const { quality: _truth, ...record } = row;
      try {
        const response = await post('/predict', record);
        if (response.status < 200 || response.status > 299) return failed(response);
        let requestId: string | undefined;
        try {
          const body = JSON.parse(response.body) as { request_id?: unknown };
          if (typeof body.request_id === 'string') requestId = body.request_id;
        } catch {
          // not JSON: the header below
        }
        const header = response.headers['x-request-id'];
        requestId ??= typeof header === 'string' ? header : undefined;
        return {
          ok: true,
          status: response.status,
          ...(requestId === undefined ? {} : { requestId }),
        };
      } catch (error) {
        return transportError(error);
      }
    },
    async feedback(requestId, quality) {
      try {
        const auth: Record<string, string> =
          options.feedbackToken === undefined
            ? {}
            : { authorization: `Bearer ${options.feedbackToken}` };
        const response = await post('/feedback', { request_id: requestId, quality }, auth);
        // The contract: 200/202 stored, 422 unknown id or impossible score.
        if (response.status === 200 || response.status === 202) {
          return { ok: true, status: response.status };
        }
        return failed(response);
      } catch (error) {
        return transportError(error);
      }
    },
    close: () => {
      client.close();
      return Promise.resolve();
    },
  };
}

/** Writes the simulated wines (with quality) to a CSV that `drift --current` reads. */
export function csvTarget(file: string): SimulationTarget {
  const columns = [...FEATURE_NAMES, 'wine_type', 'quality'] as const;
  let buffer: string[] = [];
  let started = false;
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const text = buffer.join('');
    buffer = [];
    await appendFile(file, text);
  };
  return {
    description: file,
    realtime: false,
    async preflight() {
      await writeFile(file, columns.join(',') + '\n');
      started = true;
    },
    async send(row) {
      if (!started) throw new Error('csvTarget: preflight() first');
      buffer.push(columns.map((c) => String(row[c])).join(',') + '\n');
      if (buffer.length >= 10_000) await flush();
      return { ok: true, status: 200 };
    },
    close: () => flush(),
  };
}
