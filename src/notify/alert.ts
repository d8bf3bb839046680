/**
 * What staff are told about a handoff outside the inbox. Deliberately without anything the resident
 * wrote: ids, language, channel, the chosen life domains, urgency and a link.
 */
export interface HandoffAlert {
  /** `handoff.escalated`: an urgent case nobody claimed in time, told again (issue 13). */
  event: 'handoff.new' | 'handoff.urgent' | 'handoff.escalated';
  handoffId: string;
  urgent: boolean;
  /** `returning`: a resident whose case closed recently wrote again (see previousHandoffId). */
  reason: string;
  /** The closed case a returning resident's case follows. */
  previousHandoffId?: string | null | undefined;
  /** The staff member the case is offered to first (a returning resident's trust person): their name. */
  offeredTo?: string | null | undefined;
  /** An escalation: minutes since the case came in. */
  waitingMinutes?: number | undefined;
  language: string | null;
  channel: string;
  domains: string[];
  createdAt: string;
  /** Absolute when PUBLIC_URL is set, else a path. */
  url: string;
}

/**
 * A channel needs staff: WhatsApp unlinked our number (logged out) and someone must pair it again,
 * or residents on that channel get no replies. Sent once, by the instance that held the connection.
 */
export interface ChannelAlert {
  event: 'channel.logged_out';
  channel: 'whatsapp';
  at: string;
  /** The pairing page: absolute when PUBLIC_URL is set, else a path. */
  url: string;
}

/**
 * An existing staff account had `failures` wrong passwords in a row (someone may be guessing it).
 * Sent at the first `STAFF_LOGIN_ALERT_AFTER` failures and again at each multiple; never a password.
 */
export interface LoginAlert {
  event: 'staff.login_failures';
  staffId: string;
  name: string;
  email: string;
  failures: number;
  at: string;
  /** The audit log page, where the entry is: absolute when PUBLIC_URL is set, else a path. */
  url: string;
}

/**
 * Handoffs that came in faster than staff should be messaged (see alert-combiner.ts): how many, how
 * many urgent, since when, and the queue's link. Each case is in the queue as usual.
 */
export interface CombinedHandoffAlert {
  event: 'handoffs.combined';
  count: number;
  urgentCount: number;
  since: string;
  /** The queue: absolute when PUBLIC_URL is set, else a path. */
  url: string;
}

/**
 * A staff member's reminder on a case came due ("remind me on <date>"): whose, which case, when. Never the
 * note, which is theirs to read in the inbox.
 */
export interface ReminderAlert {
  event: 'case.reminder';
  handoffId: string;
  staffId: string;
  name: string;
  dueAt: string;
  /** The case: absolute when PUBLIC_URL is set, else a path. */
  url: string;
}

/** Meta refuses the Cloud API access token (expired or revoked): replies stop until a coordinator sets a new one. */
export interface TokenAlert {
  event: 'channel.token_invalid';
  channel: 'whatsapp';
  at: string;
  /** The WhatsApp page: absolute when PUBLIC_URL is set, else a path. */
  url: string;
}

export type StaffAlert = HandoffAlert | CombinedHandoffAlert | ChannelAlert | TokenAlert | LoginAlert | ReminderAlert;

/** One way to tell staff (Telegram chat, webhook). Sends in the background; never throws. */
export interface Notifier {
  readonly name: string;
  notify(alert: StaffAlert): void;
  /** Waits for sends in flight (shutdown, tests). */
  idle(): Promise<void>;
  stop(): void;
}
