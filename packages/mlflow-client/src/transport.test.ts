import { createServer, type Server, type Socket } from 'node:net';
import { MlflowApiError, MlflowConnectionError, MlflowTimeoutError } from './errors';
import { createTransport, normaliseTrackingUri, type FetchLike } from './transport';
import { emptyReply } from './common.schema';
import { getExperimentReply } from './tracking.schema';

/**
 * The injected fetch functions below answer with real `Response` objects the way an HTTP
 * server would; they test the transport's retry classification, not MLflow (that is what the
 * integration tests in ../test do against a real server).
 */

interface Call {
  url: string;
  init: RequestInit;
}

function scripted(steps: ((call: Call) => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetch: FetchLike = (url, init) => {
    const call = { url, init };
    calls.push(call);
    const step = steps[Math.min(calls.length - 1, steps.length - 1)];
    if (!step) throw new Error('no step');
    return Promise.resolve().then(() => step(call));
  };
  return { fetch, calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
const text = (status: number, body: string) => () => new Response(body, { status });
const refused = () => {
  throw new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
  });
};

const EXPERIMENT = { experiment: { experiment_id: '1', name: 'e' } };

function transport(fetch: FetchLike, extra: Partial<Parameters<typeof createTransport>[0]> = {}) {
  const sleeps: number[] = [];
  const t = createTransport({
    trackingUri: 'http://mlflow.test:5000/prefix/',
    fetch,
    retries: 3,
    random: () => 0,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    backoff: { initialDelayMs: 10, maxDelayMs: 1000, jitterMs: 5 },
    ...extra,
  });
  return { t, sleeps };
}

describe('transport', () => {
  it('builds URLs under the tracking URI path prefix with repeated query keys', async () => {
    const { fetch, calls } = scripted([json(200, EXPERIMENT)]);
    const { t } = transport(fetch);
    await t.call('GET', '/api/2.0/mlflow/experiments/get', getExperimentReply, {
      query: { experiment_id: '1', order_by: ['a', 'b'], skip: undefined },
    });
    expect(calls[0]?.url).toBe(
      'http://mlflow.test:5000/prefix/api/2.0/mlflow/experiments/get?experiment_id=1&order_by=a&order_by=b',
    );
  });

  it('retries 5xx and 429 with exponential backoff, honouring Retry-After', async () => {
    const { fetch, calls } = scripted([
      text(503, 'busy'),
      json(429, { error_code: 'REQUEST_LIMIT_EXCEEDED' }, { 'retry-after': '0' }),
      json(502, {}),
      json(200, EXPERIMENT),
    ]);
    const { t, sleeps } = transport(fetch);
    const reply = await t.call('GET', '/x', getExperimentReply);
    expect(reply.experiment.experimentId).toBe('1');
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([10, 20, 40]);
  });

  it.each([400, 401, 403, 404, 409])('never retries %i', async (status) => {
    const { fetch, calls } = scripted([json(status, { error_code: 'SOMETHING', message: 'no' })]);
    const { t } = transport(fetch);
    await expect(t.call('POST', '/x', emptyReply, { json: {} })).rejects.toMatchObject({
      status,
      errorCode: 'SOMETHING',
    });
    expect(calls).toHaveLength(1);
  });

  it('turns the last retryable failure into a typed API error', async () => {
    const { fetch, calls } = scripted([
      json(500, { error_code: 'INTERNAL_ERROR', message: 'db down' }),
    ]);
    const { t } = transport(fetch);
    const error = await t.call('GET', '/x', emptyReply).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowApiError);
    expect(error).toMatchObject({ status: 500, errorCode: 'INTERNAL_ERROR' });
    expect((error as Error).message).toContain('db down');
    expect(calls).toHaveLength(4);
  });

  it('derives an error code from plain-text auth failures and hints at the variables', async () => {
    const { fetch } = scripted([text(401, 'You are not authenticated.')]);
    const { t } = transport(fetch);
    const error = await t.call('GET', '/x', emptyReply).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, errorCode: 'UNAUTHENTICATED' });
    expect((error as Error).message).toMatch(/MLFLOW_TRACKING_USERNAME/);
  });

  it('retries connection errors, then names the unreachable URI', async () => {
    const { fetch, calls } = scripted([refused]);
    const { t } = transport(fetch);
    const error = await t
      .call('GET', '/api/2.0/mlflow/runs/get', emptyReply)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowConnectionError);
    expect((error as Error).message).toMatch(/http:\/\/mlflow\.test:5000\/prefix/);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).toMatch(/MLFLOW_TRACKING_URI/);
    expect(calls).toHaveLength(4);
  });

  it('sends basic or bearer credentials from the provider on every request', async () => {
    const { fetch, calls } = scripted([json(200, {})]);
    let n = 0;
    const { t } = transport(fetch, {
      credentials: () => (n++ === 0 ? { username: 'u', password: 'p' } : { token: 'tok' }),
    });
    await t.call('POST', '/x', emptyReply, { json: { a: 1 } });
    await t.call('GET', '/x', emptyReply);
    const headers = calls.map((c) => new Headers(c.init.headers));
    expect(headers[0]?.get('authorization')).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(headers[0]?.get('content-type')).toBe('application/json');
    expect(calls[0]?.init.body).toBe('{"a":1}');
    expect(headers[1]?.get('authorization')).toBe('Bearer tok');
  });

  it('rejects a 2xx that is not JSON (a UI page behind a wrong prefix)', async () => {
    const { fetch } = scripted([text(200, '<!doctype html><html>')]);
    const { t } = transport(fetch);
    await expect(t.call('GET', '/x', emptyReply)).rejects.toMatchObject({
      code: 'MLFLOW_INVALID_RESPONSE',
    });
  });

  it('rejects replies that do not match the schema', async () => {
    const { fetch } = scripted([json(200, { experiment: { name: 1 } })]);
    const { t } = transport(fetch);
    await expect(t.call('GET', '/x', getExperimentReply)).rejects.toMatchObject({
      code: 'MLFLOW_INVALID_RESPONSE',
    });
  });

  it('refuses non-http tracking URIs', () => {
    expect(() => normaliseTrackingUri('databricks')).toThrow(/not a URL/);
    expect(() => normaliseTrackingUri('file:///tmp/mlruns')).toThrow(/must be http/);
    expect(normaliseTrackingUri('http://h:1/a/')).toBe('http://h:1/a');
  });
});

describe('transport over real sockets', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never answers: what an overloaded or wedged server looks like.
    server = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('times out a silent server per attempt, retrying, then says what to check', async () => {
    const t = createTransport({
      trackingUri: `http://127.0.0.1:${port}`,
      timeoutMs: 150,
      retries: 1,
      backoff: { initialDelayMs: 1, jitterMs: 0 },
    });
    const error = await t.call('GET', '/health', emptyReply).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowTimeoutError);
    expect((error as Error).message).toMatch(/timed out after 150 ms \(2 attempts\)/);
    expect((error as Error).message).toMatch(/MLFLOW_HTTP_REQUEST_TIMEOUT/);
  });

  it('reports a refused connection with the tracking URI', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const closedPort = typeof address === 'object' && address ? address.port : 0;
    await new Promise((resolve) => closed.close(resolve));
    const t = createTransport({
      trackingUri: `http://127.0.0.1:${closedPort}`,
      retries: 2,
      backoff: { initialDelayMs: 1, jitterMs: 0 },
    });
    const error = await t
      .call('GET', '/api/2.0/mlflow/experiments/get', emptyReply)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowConnectionError);
    expect((error as Error).message).toContain(`http://127.0.0.1:${closedPort}`);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).toContain('3 attempts');
  });

  it('stops at once when the caller aborts', async () => {
    const t = createTransport({ trackingUri: `http://127.0.0.1:${port}`, timeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = t.call('GET', '/x', emptyReply, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
