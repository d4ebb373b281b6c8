import { authorizationHeader, type CredentialsProvider } from './config';
import {
  MlflowApiError,
  MlflowClientError,
  MlflowConnectionError,
  MlflowTimeoutError,
} from './errors';
import {
  backoffDelayMs,
  DEFAULT_BACKOFF,
  parseRetryAfter,
  shouldRetry,
  type AttemptOutcome,
  type BackoffOptions,
} from './retry';

/**
 * The only module that calls fetch (C10). It owns the base URL, the auth header, the timeout,
 * retries with backoff and the translation of failures into typed errors; API modules above it
 * are a few lines each.
 */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Structural stand-in for a zod schema, so this file does not depend on zod (C8). */
export interface ResponseSchema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { message: string } };
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export interface TransportOptions {
  /** Tracking server base URL; a path prefix (reverse proxy) is kept. */
  readonly trackingUri: string;
  readonly fetch?: FetchLike;
  readonly credentials?: CredentialsProvider;
  /** Per attempt; default 120 s like the Python client. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt; default 5. */
  readonly retries?: number;
  readonly backoff?: Partial<BackoffOptions>;
  /** Injected for tests; default Math.random. */
  readonly random?: () => number;
  /** Injected for tests; default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  readonly query?: Query;
  /** JSON-serialised with Content-Type application/json. */
  readonly json?: unknown;
  /** Raw bytes (artifact upload). */
  readonly bytes?: Uint8Array;
  readonly contentType?: string;
  readonly timeoutMs?: number;
  /** Retries for this request instead of the transport's (0: one attempt, for non-idempotent calls). */
  readonly retries?: number;
  readonly signal?: AbortSignal;
  /**
   * The caller streams the body (artifact downloads): the per-attempt timeout then covers only
   * getting the response headers, and reading the body is bounded by `signal` alone — so a
   * large file on a slow link is not cut off after `timeoutMs`.
   */
  readonly stream?: boolean;
}

export interface Transport {
  /** Normalised tracking URI without a trailing slash. */
  readonly baseUrl: string;
  /** Per-attempt timeout in ms. */
  readonly timeoutMs: number;
  /** Retries after a first attempt that failed transiently. */
  readonly retries: number;
  /** The backoff before retry number `retry` (1-based), with jitter, as the transport waits it. */
  retryDelayMs(retry: number): number;
  /** JSON API call: non-2xx → MlflowApiError, reply validated with `schema`. */
  call<T>(
    method: string,
    path: string,
    schema: ResponseSchema<T>,
    options?: RequestOptions,
  ): Promise<T>;
  /** Same retry/auth/error handling, but hands back the 2xx Response (artifact downloads). */
  raw(method: string, path: string, options?: RequestOptions): Promise<Response>;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_RETRIES = 5;
const USER_AGENT = 'mlflow-ts-client/0.1.0';

export function normaliseTrackingUri(trackingUri: string): string {
  let url: URL;
  try {
    url = new URL(trackingUri);
  } catch (cause) {
    throw new MlflowClientError(
      'MLFLOW_INVALID_URI',
      `Tracking URI ${JSON.stringify(trackingUri)} is not a URL; set MLFLOW_TRACKING_URI to e.g. http://127.0.0.1:5000.`,
      { cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MlflowClientError(
      'MLFLOW_INVALID_URI',
      `Tracking URI ${trackingUri} must be http(s); file stores and databricks URIs are not supported.`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function buildUrl(baseUrl: string, path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const search = params.toString();
  return `${baseUrl}${path}${search === '' ? '' : `?${search}`}`;
}

const STATUS_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'ENDPOINT_NOT_FOUND',
  409: 'RESOURCE_CONFLICT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  503: 'TEMPORARILY_UNAVAILABLE',
};

const AUTH_HINT =
  'Check MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) and the user’s permissions.';

/** Auth layers and proxies answer in plain text; MLflow handlers answer {error_code, message}. */
export function apiErrorFromBody(
  status: number,
  bodyText: string,
  method: string,
  url: string,
): MlflowApiError {
  let errorCode = STATUS_ERROR_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
  let detail = bodyText.trim().slice(0, 2000);
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      if (typeof record['error_code'] === 'string') errorCode = record['error_code'];
      if (typeof record['message'] === 'string') detail = record['message'];
    }
  } catch {
    // not JSON: keep the raw text
  }
  const path = new URL(url).pathname;
  const hint = status === 401 || status === 403 ? ` ${AUTH_HINT}` : '';
  return new MlflowApiError({
    errorCode,
    status,
    method,
    url,
    message: `MLflow ${method} ${path} failed: ${status} ${errorCode}: ${detail || '(empty body)'}${hint}`,
  });
}

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

/** Duck-typed: undici's errors may come from another realm (jest VMs), defeating instanceof. */
function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? value : undefined;
}

function describeCause(error: unknown): string {
  const outer = asErrorLike(error);
  const inner = asErrorLike(outer?.cause) ?? outer;
  if (inner === undefined) return String(error);
  const message = typeof inner.message === 'string' ? inner.message : String(error);
  const code = typeof inner.code === 'string' ? inner.code : undefined;
  return code !== undefined && !message.includes(code) ? `${code} ${message}` : message;
}

export function createTransport(options: TransportOptions): Transport {
  const baseUrl = normaliseTrackingUri(options.trackingUri);
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const random = options.random ?? Math.random;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function headersFor(request: RequestOptions): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'User-Agent': USER_AGENT,
      Accept: 'application/json',
    };
    if (request.json !== undefined) headers['Content-Type'] = 'application/json';
    else if (request.bytes !== undefined)
      headers['Content-Type'] = request.contentType ?? 'application/octet-stream';
    const auth = authorizationHeader(await options.credentials?.());
    if (auth !== undefined) headers['Authorization'] = auth;
    return headers;
  }

  async function raw(
    method: string,
    path: string,
    request: RequestOptions = {},
  ): Promise<Response> {
    const url = buildUrl(baseUrl, path, request.query);
    const body =
      request.json !== undefined
        ? JSON.stringify(request.json)
        : request.bytes !== undefined
          ? request.bytes
          : undefined;
    const attemptTimeout = request.timeoutMs ?? timeoutMs;
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      const deadline = attemptDeadline(attemptTimeout, request.stream === true);
      const signals = [deadline.signal];
      if (request.signal) signals.push(request.signal);
      let outcome: AttemptOutcome;
      let response: Response | undefined;
      try {
        response = await fetchImpl(url, {
          method,
          headers: await headersFor(request),
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.any(signals),
        });
        deadline.headersArrived();
        outcome = { kind: 'response', status: response.status };
      } catch (error) {
        deadline.headersArrived();
        if (request.signal?.aborted) throw error;
        lastError = error;
        const isTimeout = asErrorLike(error)?.name === 'TimeoutError';
        outcome = isTimeout ? { kind: 'timeout' } : { kind: 'connection-error' };
      }
      if (response?.ok) return response;
      const canRetry = attempt < (request.retries ?? retries) && shouldRetry(outcome);
      if (!canRetry) {
        if (response) throw apiErrorFromBody(response.status, await response.text(), method, url);
        const tries = `${attempt + 1} attempt${attempt === 0 ? '' : 's'}`;
        if (outcome.kind === 'timeout') {
          throw new MlflowTimeoutError(
            url,
            attemptTimeout,
            `MLflow ${method} ${url} timed out after ${attemptTimeout} ms (${tries}). ` +
              'Check the server’s health and load, or raise timeoutMs (MLFLOW_HTTP_REQUEST_TIMEOUT, seconds).',
            { cause: lastError },
          );
        }
        throw new MlflowConnectionError(
          url,
          `Cannot reach the MLflow tracking server at ${baseUrl} (${method} ${path}: ` +
            `${describeCause(lastError)}; ${tries}). Check that MLFLOW_TRACKING_URI is right, ` +
            'the server is running and this host can reach it.',
          { cause: lastError },
        );
      }
      const retryAfter = response
        ? parseRetryAfter(response.headers.get('retry-after'), Date.now())
        : undefined;
      await response?.body?.cancel();
      await sleep(backoffDelayMs(attempt + 1, backoff, random, retryAfter));
    }
  }

  async function call<T>(
    method: string,
    path: string,
    schema: ResponseSchema<T>,
    request: RequestOptions = {},
  ): Promise<T> {
    const response = await raw(method, path, request);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch (cause) {
      throw new MlflowClientError(
        'MLFLOW_INVALID_RESPONSE',
        `MLflow ${method} ${path} answered ${response.status} with non-JSON ` +
          `(${JSON.stringify(text.slice(0, 80))}…); is ${baseUrl} really the tracking server ` +
          '(check the URL path prefix and any proxy in between)?',
        { cause },
      );
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      throw new MlflowClientError(
        'MLFLOW_INVALID_RESPONSE',
        `MLflow ${method} ${path} returned an unexpected shape: ${result.error.message}`,
      );
    }
    return result.data;
  }

  const retryDelayMs = (retry: number): number => backoffDelayMs(retry, backoff, random);
  return { baseUrl, timeoutMs, retries, retryDelayMs, call, raw };
}

/**
 * The per-attempt timeout as a signal. For a streamed body it stops counting once the headers
 * are in (the caller bounds the body); otherwise it also covers reading the body.
 */
function attemptDeadline(
  ms: number,
  headersOnly: boolean,
): { signal: AbortSignal; headersArrived: () => void } {
  if (!headersOnly) return { signal: AbortSignal.timeout(ms), headersArrived: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
  }, ms);
  return {
    signal: controller.signal,
    headersArrived: () => {
      clearTimeout(timer);
    },
  };
}
