/**
 * Helmet's security headers, configured in one place. The Express app uses the middleware;
 * the scoring fast lane needs the same headers without running middleware per request, so
 * they are captured once at startup from a real ServerResponse (helmet's output depends only
 * on its options, never on the request).
 */
import http from 'node:http';
import net from 'node:net';
import helmet from 'helmet';

export function securityMiddleware(): ReturnType<typeof helmet> {
  return helmet();
}

/** Remembers header names as spelled by the caller (getHeaderNames() lower-cases them). */
class HeaderRecorder extends http.ServerResponse {
  readonly spelled: string[] = [];

  override setHeader(name: string, value: number | string | readonly string[]): this {
    this.spelled.push(name);
    return super.setHeader(name, value);
  }
}

/** [name, value] pairs in the order and spelling helmet sets them. */
export function captureSecurityHeaders(
  middleware: ReturnType<typeof helmet>,
): ReadonlyArray<readonly [string, string]> {
  const res = new HeaderRecorder(new http.IncomingMessage(new net.Socket()));
  const state = { called: false };
  middleware(res.req, res, () => {
    state.called = true;
  });
  if (!state.called)
    throw new Error('helmet did not complete synchronously; cannot capture headers');
  const pairs: Array<readonly [string, string]> = [];
  for (const name of new Set(res.spelled)) {
    const value = res.getHeader(name);
    if (value === undefined) continue; // set, then removed again
    pairs.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
  }
  return pairs;
}
