/**
 * Security headers (helmet), configured in one place. The Express app uses the middleware;
 * the scoring fast lane needs the same headers without running middleware per request, so
 * they are captured once at startup from a real ServerResponse (helmet's output depends only
 * on its options, never on the request).
 *
 * Two sets. Every response carries the API set, the headers OWASP's REST Security Cheat
 * Sheet asks of a JSON API: `Content-Security-Policy: default-src 'none'; frame-ancestors
 * 'none'` (nothing a response could be rendered as may load or run anything, nor be framed —
 * stricter than helmet's default CSP), `X-Frame-Options: DENY`, `X-Content-Type-Options:
 * nosniff`, `Strict-Transport-Security`, and `Cross-Origin-Resource-Policy: same-origin`.
 * The HTML pages (`/docs`) get helmet's full default set (docsSecurityMiddleware), whose
 * other headers only govern documents — DNS prefetching, IE8 downloads, Flash/PDF policy
 * files, the XSS auditor, opener and agent-cluster isolation, the referrer of a page's own
 * requests — and which were 13 of a JSON answer's 19 headers: formatting and validating them
 * cost a single-record /predict ~4 µs of CPU per request, more than scoring it
 * (bench/profiles/service-one-worker.md).
 */
import http from 'node:http';
import net from 'node:net';
import helmet from 'helmet';

export function securityMiddleware(): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}

/** helmet's default set, for the HTML pages of /docs (their CSP allows same-origin scripts). */
export function docsSecurityMiddleware(): ReturnType<typeof helmet> {
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
