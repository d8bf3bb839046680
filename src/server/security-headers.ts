import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The Content-Security-Policy of every response. Nothing is allowed unless named: scripts, styles,
 * pictures, sound and fetches from our own origin only, no inline script or style anywhere (the pages
 * pass their data as `<script type="application/json">` and style through their own stylesheet), no
 * plugins, no <base>, forms only to ourselves, and no page may be framed (clickjacking).
 * `data:` pictures only for the inbox's empty favicon (`<link rel="icon" href="data:,">`), which keeps
 * browsers from asking for /favicon.ico.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  mediaSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/** Browser features no page of ours uses. Only the web chat page records voice notes: `microphone=(self)` there. */
const NO_FEATURES: Record<string, string[]> = {
  accelerometer: [],
  camera: [],
  geolocation: [],
  gyroscope: [],
  magnetometer: [],
  microphone: [],
  payment: [],
  usb: [],
};

/** The page that may ask for the microphone (the web chat's voice notes); its own API needs no such right. */
const MICROPHONE_PAGES = new Set(['/chat']);

/** One year; sent only when PUBLIC_URL is https (a browser ignores it over plain http anyway). */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Security headers on every response (pages, assets, JSON, errors): the CSP above,
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`,
 * `Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Resource-Policy: same-origin`,
 * Permissions-Policy, and Strict-Transport-Security when served over https. A header a route set
 * itself is kept: the media responses carry a stricter, sandboxing CSP of their own.
 */
export function securityHeaders(options: { https: boolean }): MiddlewareHandler {
  const common = {
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    strictTransportSecurity: options.https ? HSTS : false,
    overwrite: false,
  } as const;
  const page = secureHeaders({ ...common, permissionsPolicy: { ...NO_FEATURES } });
  const withMicrophone = secureHeaders({ ...common, permissionsPolicy: { ...NO_FEATURES, microphone: ['self'] } });
  return (c, next) => (MICROPHONE_PAGES.has(c.req.path) ? withMicrophone : page)(c, next);
}
