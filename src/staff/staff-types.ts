/** The two staff roles: trust persons hold cases; coordinators see and assign every case. */
export type StaffRole = 'trust_person' | 'coordinator';
export const STAFF_ROLES: readonly StaffRole[] = ['trust_person', 'coordinator'];
export const STAFF_GENDERS = ['woman', 'man'] as const;

export interface StaffMember {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  languages: string[];
  gender: string | null;
  uiLocale: string;
  /** A role label residents see instead of the first name (issue 15); null: the first name. */
  residentLabel: string | null;
  active: boolean;
}

/**
 * Who is asking: a staff member (by session or personal token), or the shared STAFF_API_TOKEN, which
 * acts as a coordinator under the id `api`.
 */
export interface Actor {
  id: string;
  name: string;
  role: StaffRole;
  uiLocale: string;
  /** What residents see instead of the first name, when the staff member chose a role label. */
  residentLabel?: string | null;
  via: 'session' | 'token' | 'api-token';
}

/** The longest role label a staff member may choose (it heads their replies on Telegram and WhatsApp). */
export const MAX_RESIDENT_LABEL_LENGTH = 40;

export const API_ACTOR_ID = 'api';
