import type { Context } from 'hono';

/**
 * grammY's webhook adapter for Hono, with a webhook reply Telegram can read. grammY's own 'hono' adapter
 * passes the already serialised call to `c.json`, which sends it as a JSON *string*
 * (`"{\"method\":…}"`); Telegram ignores that, and the call would be lost. This one sends the call as is.
 */
export function honoWebhookAdapter(c: Context) {
  let resolveResponse!: (response: Response) => void;
  return {
    get update() {
      return c.req.json();
    },
    header: c.req.header('x-telegram-bot-api-secret-token'),
    end: () => resolveResponse(c.body('')),
    respond: (json: string) => resolveResponse(c.body(json, 200, { 'content-type': 'application/json' })),
    unauthorized: () => resolveResponse(c.body('', 401)),
    handlerReturn: new Promise<Response>((resolve) => (resolveResponse = resolve)),
  };
}
