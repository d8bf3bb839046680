/** Whose step it is and when: what every effect's SQL parts are written for. */
export interface EffectTarget {
  residentId: string;
  conversationId: string;
  now: Date;
}
