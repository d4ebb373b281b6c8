/**
 * Credentials checks for the API, compared in constant time. The webhook takes
 * `Authorization: Bearer $PIPELINE_WEBHOOK_TOKEN` (what Alertmanager's http_config sends);
 * run history and bull-board take `Bearer $ADMIN_TOKEN`, or basic auth admin:$ADMIN_TOKEN so
 * a browser can open the dashboard.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { PipelineError } from '../errors';
import { sendError } from './errors-http';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

export const ADMIN_USER = 'admin';

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== ADMIN_USER) return undefined;
  return decoded.slice(colon + 1);
}

export function requireWebhookToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (token === undefined) {
      sendError(
        res,
        new PipelineError(
          'WEBHOOK_DISABLED',
          'The webhook is off: set PIPELINE_WEBHOOK_TOKEN on the pipeline API.',
        ),
      );
      return;
    }
    const given = bearer(req.headers.authorization);
    if (given === undefined || !same(given, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="pipeline-webhook"');
      sendError(
        res,
        new PipelineError(
          'WEBHOOK_UNAUTHORIZED',
          'Missing or wrong bearer token (PIPELINE_WEBHOOK_TOKEN).',
        ),
      );
      return;
    }
    next();
  };
}

export function requireAdmin(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (token === undefined) {
      sendError(
        res,
        new PipelineError(
          'API_ADMIN_DISABLED',
          'Run history and bull-board are off: set ADMIN_TOKEN on the pipeline API.',
        ),
      );
      return;
    }
    const header = req.headers.authorization;
    const given = bearer(header) ?? basicPassword(header);
    if (given === undefined || !same(given, token)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="wine pipeline", charset="UTF-8"');
      sendError(
        res,
        new PipelineError(
          'API_UNAUTHORIZED',
          `Log in as ${ADMIN_USER} with ADMIN_TOKEN as the password (or send Authorization: Bearer).`,
        ),
      );
      return;
    }
    next();
  };
}
