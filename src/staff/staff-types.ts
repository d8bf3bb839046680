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
  via: 'session' | 'token' | 'api-token';
}

export const API_ACTOR_ID = 'api';
