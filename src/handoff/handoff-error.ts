/** Why a handoff action cannot be done; the HTTP layer maps the code to 400/403/404/409. */
export class HandoffError extends Error {
  constructor(
    readonly code: 'invalid' | 'forbidden' | 'not_found' | 'conflict',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'HandoffError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A handoff id from a URL; anything that is not a uuid is simply not found. */
export function checkHandoffId(id: string): string {
  if (!UUID.test(id)) throw new HandoffError('not_found', `no handoff ${id.slice(0, 40)}`);
  return id.toLowerCase();
}

/** A resident id from a URL, the same way: not a uuid, not found. */
export function checkResidentId(id: string): string {
  if (!UUID.test(id)) throw new HandoffError('not_found', 'no such resident');
  return id.toLowerCase();
}
