import { ZodError } from 'zod';
import { HandoffError } from '../handoff/handoff-error.js';
import { HttpError } from './http-error.js';

const STATUS = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409 } as const;
const CODE = { invalid: 'invalid_request', forbidden: 'forbidden', not_found: 'not_found', conflict: 'conflict' } as const;

/**
 * Every error a request can end in, as the HTTP boundary's one error type: an HttpError as it is, a
 * handoff service refusal with its status, a failed zod check (API body or form) as 400 naming the
 * field. Null for anything else: a fault of ours (500), logged by the server's one onError.
 */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof HandoffError) return new HttpError(STATUS[error.code], CODE[error.code], error.reason);
  if (error instanceof ZodError) {
    const issue = error.issues[0]!;
    const where = issue.path.join('.');
    return new HttpError(400, 'invalid_request', `${where ? `${where}: ` : ''}${issue.message}`);
  }
  return null;
}
