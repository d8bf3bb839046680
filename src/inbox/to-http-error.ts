import { HandoffError } from '../handoff/handoff-error.js';
import { HttpError } from '../server/http-error.js';

const STATUS = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409 } as const;
const CODE = { invalid: 'invalid_request', forbidden: 'forbidden', not_found: 'not_found', conflict: 'conflict' } as const;

/** A handoff service refusal as the HTTP boundary's one error type; anything else passes through. */
export function toHttpError(error: unknown): unknown {
  if (error instanceof HandoffError) return new HttpError(STATUS[error.code], CODE[error.code], error.reason);
  return error;
}

/** Runs a handoff action and turns its refusals into HttpErrors. */
export async function httpAction<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw toHttpError(error);
  }
}
