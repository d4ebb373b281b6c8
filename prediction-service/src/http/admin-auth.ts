/**
 * Guards admin endpoints with `Authorization: Bearer $ADMIN_TOKEN`. Both sides are hashed
 * first so timingSafeEqual always compares equal-length buffers and the token length leaks
 * nothing. No configured token → the endpoints do not exist (404 ADMIN_DISABLED).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ServiceError } from '../errors';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

export function requireAdmin(token: string | undefined) {
  return requireBearer(token, {
    realm: 'wine-quality-admin',
    variable: 'ADMIN_TOKEN',
    disabled: () =>
      new ServiceError(
        'ADMIN_DISABLED',
        'Admin endpoints are disabled: set ADMIN_TOKEN to enable them.',
      ),
  });
}

/** The same guard for another credential (FEEDBACK_TOKEN): its own realm and disabled error. */
export function requireBearer(
  token: string | undefined,
  options: { realm: string; variable: string; disabled: () => ServiceError },
) {
  const realm = `Bearer realm="${options.realm}"`;
  return function bearerAuth(req: Request, res: Response, next: NextFunction): void {
    if (token === undefined) {
      next(options.disabled());
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined) {
      res.setHeader('WWW-Authenticate', realm);
      next(new ServiceError('UNAUTHORIZED', `Send Authorization: Bearer <${options.variable}>.`));
      return;
    }
    if (!tokenMatches(token, match[1])) {
      res.setHeader('WWW-Authenticate', `${realm}, error="invalid_token"`);
      next(new ServiceError('UNAUTHORIZED', 'The bearer token is not valid.'));
      return;
    }
    next();
  };
}
