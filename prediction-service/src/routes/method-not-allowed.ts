import type { NextFunction, Request, Response } from 'express';
import { ServiceError } from '../errors';

/** For a known path hit with the wrong method: 405 with `Allow`, not a misleading 404. */
export function methodNotAllowed(...allowed: string[]) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Allow', allowed.join(', '));
    next(new ServiceError('METHOD_NOT_ALLOWED', `Use ${allowed.join(' or ')} on this path.`));
  };
}
