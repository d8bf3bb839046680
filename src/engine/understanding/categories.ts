/** The kinds of danger the bot answers with the emergency numbers (issue 9). */
export const DANGER_CATEGORIES = [
  'violence',
  'threat',
  'fearHome',
  'controlled',
  'forcedMarriage',
  'sexualAbuse',
  'childHarm',
  'selfHarm',
] as const;
export type DangerCategory = (typeof DANGER_CATEGORIES)[number];
