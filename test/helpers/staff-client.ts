import { and, eq, ne } from 'drizzle-orm';
import type { Hono } from 'hono';
import { handoffs, residents } from '../../src/db/schema.js';
import type { App } from '../../src/app.js';
import type { StaffMember, StaffRole } from '../../src/staff/staff-types.js';
import { WebchatClient } from './webchat-client.js';

export const TEST_PASSWORD = 'a long test password';

let staffCounter = 0;

/** Adds a staff member directly through the store (the CLI is tested on its own). */
export async function addStaff(
  app: App,
  input: {
    role?: StaffRole;
    name?: string;
    languages?: string[];
    gender?: string | null;
    uiLocale?: string;
    email?: string;
  } = {},
): Promise<StaffMember> {
  const n = ++staffCounter;
  return app.services.staff.create({
    name: input.name ?? `Staff ${n}`,
    email: input.email ?? `staff${n}-${Math.random().toString(36).slice(2, 7)}@example.org`,
    role: input.role ?? 'trust_person',
    languages: input.languages ?? ['nl', 'ar'],
    gender: input.gender === undefined ? 'woman' : input.gender,
    uiLocale: input.uiLocale ?? 'nl',
    password: TEST_PASSWORD,
  });
}

/**
 * A staff member's browser, driven in-process: keeps cookies, logs in through the form, sends the
 * CSRF token the pages carry.
 */
export class StaffBrowser {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly server: Hono) {}

  #cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  #store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.#cookieHeader());
    const res = await this.server.request(path, { ...init, headers, redirect: 'manual' });
    this.#store(res);
    return res;
  }

  /** GET a page; remembers the CSRF token it carries. */
  async page(path: string): Promise<{ status: number; html: string; location: string | null }> {
    const res = await this.request(path);
    const html = await res.text();
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, html, location: res.headers.get('location') };
  }

  async login(email: string, password = TEST_PASSWORD): Promise<Response> {
    const form = await this.request('/inbox/login');
    const html = await form.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const res = await this.post('/inbox/login', { _csrf: csrf, email, password, next: '/inbox' }, { csrf: false });
    if (res.status === 303) await this.page('/inbox');
    return res;
  }

  /** A form post, with the session's CSRF token unless told otherwise. */
  async post(
    path: string,
    fields: Record<string, string | string[]> = {},
    options: { csrf?: boolean | string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const item of [v].flat()) body.append(k, item);
    if (options.csrf !== false) body.set('_csrf', typeof options.csrf === 'string' ? options.csrf : this.csrf);
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
      body: body.toString(),
    });
  }
}

/** The resident row of a web chat visitor. */
export async function residentIdOf(app: App, chat: WebchatClient): Promise<string> {
  const visitorId = chat.token.split('.')[0]!;
  const [row] = await app.database.db
    .select({ id: residents.id })
    .from(residents)
    .where(and(eq(residents.channel, 'web'), eq(residents.externalId, visitorId)));
  if (!row) throw new Error('no resident for this chat');
  return row.id;
}

/** The resident's open handoff (waiting or claimed). */
export async function openHandoffOf(app: App, chat: WebchatClient): Promise<string> {
  const residentId = await residentIdOf(app, chat);
  const [row] = await app.database.db
    .select({ id: handoffs.id })
    .from(handoffs)
    .where(and(eq(handoffs.residentId, residentId), ne(handoffs.status, 'closed')));
  if (!row) throw new Error('no open handoff for this chat');
  return row.id;
}

/** A web chat resident who asks for a person at once (a waiting handoff with reason asked-for-person). */
export async function residentAsksForPerson(app: App, firstText = 'hallo'): Promise<{ chat: WebchatClient; handoffId: string }> {
  const chat = await new WebchatClient(app.server).startSession();
  await chat.say(firstText);
  await chat.say('persoon');
  return { chat, handoffId: await openHandoffOf(app, chat) };
}
