import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

const NAME = 'tussenin_staff';

/**
 * The session cookie: HttpOnly, SameSite=Lax (a link from a notification opens the inbox logged in;
 * state-changing requests carry a CSRF token besides), and Secure with the `__Host-` prefix when the
 * inbox is served over https (PUBLIC_URL), which also pins it to this host and path `/`.
 */
export function createSessionCookie(secure: boolean) {
  const prefix = secure ? ('host' as const) : undefined;
  return {
    read: (c: Context): string | undefined => getCookie(c, NAME, prefix),
    write(c: Context, token: string, maxAgeSeconds: number) {
      setCookie(c, NAME, token, { path: '/', httpOnly: true, sameSite: 'Lax', secure, maxAge: maxAgeSeconds, prefix });
    },
    clear(c: Context) {
      deleteCookie(c, NAME, { path: '/', secure, prefix });
    },
  };
}

export type SessionCookie = ReturnType<typeof createSessionCookie>;
