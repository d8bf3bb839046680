import type { Actor, StaffMember } from '../staff/staff-types.js';

/** What the auth middlewares put on the Hono context. */
export type InboxEnv = {
  Variables: {
    actor: Actor;
    /** Page routes only: the logged-in person and the session's CSRF token. */
    staff: StaffMember;
    csrfToken: string;
  };
};
