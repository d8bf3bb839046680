import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The one error type of the HTTP boundary: a status, a stable code and a reason a developer can act on. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly reason: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(reason);
    this.name = 'HttpError';
  }
}
