import type { Context } from 'hono';
import { HttpError } from './http-error.js';

type FormBody = Awaited<ReturnType<Context['req']['parseBody']>>;

/**
 * The form fields of a request, or a 400 naming the problem: a multipart body with a broken boundary
 * (or any body the runtime cannot read as a form) throws inside Hono, which would be a 500. Cached by
 * Hono, so reading it twice (CSRF check, then the route) parses once.
 */
export async function readForm(c: Context<any>, options: { all?: boolean } = {}): Promise<FormBody> {
  try {
    return await c.req.parseBody(options.all ? { all: true } : {});
  } catch {
    throw new HttpError(
      400,
      'invalid_form',
      'the body could not be read as a form (application/x-www-form-urlencoded or multipart/form-data)',
    );
  }
}
